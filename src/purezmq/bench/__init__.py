"""``purezmq bench``: throughput, latency, fan-out and memory, purezmq against pyzmq.

Modelled on libzmq's perf tools (local_thr/remote_thr, local_lat/remote_lat). The
parent process (:mod:`.cli`, :mod:`.runner`) starts one worker process per end for
tcp and ipc, or one worker running both ends in threads/tasks for inproc
(:mod:`.worker`); the workers measure and report, the parent takes medians and
prints the table (:mod:`.report`). The same scenario code (:mod:`.roles_sync`,
:mod:`.roles_async`) runs against ``purezmq`` or ``pyzmq``; :mod:`.floor_sync` and
:mod:`.floor_async` do the same transfers over plain Python sockets.
"""
