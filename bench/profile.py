"""Profile a phase's server side with py-spy while wrk drives it, and print where the time goes.

    .venv/bin/python -m bench.profile create-payment      # web workers under POST /v1/payments
    .venv/bin/python -m bench.profile callbacks           # task workers applying M-Pesa callbacks

Writes the raw collapsed stacks to var/bench/profile-<phase>.txt (open with speedscope or flamegraph.pl) and
prints the functions with the largest inclusive share of samples. Only threads holding the GIL are sampled,
so the figures are where the CPU goes, not where requests wait.
"""

from __future__ import annotations

import collections
import subprocess
import sys
import threading

from .common import clients, var_dir, wait_until_idle

TOP = 45


def record(pids: list[int], seconds: int, name: str) -> list[str]:
    """py-spy each process for `seconds`, in parallel; returns the collapsed stack lines of all of them."""
    outputs = []
    procs = []
    for pid in pids:
        out = var_dir() / f"profile-{name}-{pid}.txt"
        outputs.append(out)
        procs.append(subprocess.Popen([sys.executable.replace("python", "py-spy"), "record", "-p", str(pid),
                                       "-d", str(seconds), "-r", "200", "-f", "raw", "-o", str(out), "--nonblocking",
                                       "--gil"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for proc in procs:
        proc.wait()
    lines = []
    for out in outputs:
        if out.exists():
            lines += out.read_text().splitlines()
    (var_dir() / f"profile-{name}.txt").write_text("\n".join(lines) + "\n")
    return lines


def summarize(lines: list[str]) -> None:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        frames = stack.split(";")
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    print(f"{total} samples")
    print("-- inclusive --")
    for frame, samples in inclusive.most_common(TOP):
        print(f"{100 * samples / total:5.1f}%  {frame}")
    print("-- own --")
    for frame, samples in own.most_common(25):
        print(f"{100 * samples / total:5.1f}%  {frame}")


def children_pids(parent: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def main(phase: str, seconds: int = 15) -> None:
    from . import callbacks, create_payment
    from .stack import running_stack

    with running_stack() as stack:
        app_url, raw_key, account, children, env = (stack.app_url, stack.raw_key, stack.account, stack.children,
                                                     stack.env)
        create_payment.create_payment_load(app_url, raw_key, connections=clients(), seconds=3)
        if phase == "create-payment":
            web = next(p for name, p in children.processes if name == "web")
            simulator = next(p for name, p in children.processes if name == "simulator")
            pids = children_pids(web.pid) + children_pids(simulator.pid)
            load = threading.Thread(target=create_payment.create_payment_load, args=(app_url, raw_key),
                                    kwargs={"connections": clients(), "seconds": seconds + 2})
        else:
            create_payment.create_payment_load(app_url, raw_key, connections=clients(), seconds=seconds)
            bodies, _ = callbacks.callback_file(account)
            callbacks.task_workers_start_for(children, env)
            pids = [p.pid for name, p in children.processes if name.startswith("worker-")]
            wait_until_idle(pids)
            load = threading.Thread(target=callbacks.post_callbacks, args=(app_url, bodies),
                                    kwargs={"connections": clients()})
        load.start()
        lines = record(pids, seconds, phase)
        load.join()
    summarize(lines)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "create-payment")
