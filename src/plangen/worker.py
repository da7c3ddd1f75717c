"""Run one untrusted render in a child process with CPU, memory and wall-clock limits.

A template's work cannot all be bounded from inside Jinja (a C call does not see a timer), so the
render runs in a forked child: RLIMIT_CPU ends it when it computes too long, RLIMIT_AS when it
allocates too much, and the parent kills it when the wall clock runs out (a render blocked on
something). The child dies with the parent (PR_SET_PDEATHSIG), so a killed plangen leaves no render
behind. The child sends back the result or the user-facing error; a bug in plangen stays a bug.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
import traceback

from plangen.errors import PlangenError, RenderError

DEFAULT_SECONDS = 120
MEMORY_HEADROOM_BYTES = 2 * 2**30


def limit_seconds() -> int:
    """CPU seconds a render may take (PLANGEN_RENDER_SECONDS overrides: big plans, slow machines, tests)."""
    try:
        return max(1, int(os.environ.get("PLANGEN_RENDER_SECONDS", DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


class WorkerCrash(RuntimeError):
    """plangen's own code failed inside the worker; carries the child's traceback."""


def run(function, arguments: tuple, what: str):
    """function(*arguments) in a limited child; its return value must pickle."""
    if not hasattr(os, "fork"):  # no fork (Windows): the sandbox still holds, only the limits are lost
        return function(*arguments)
    seconds = limit_seconds()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        _child(function, arguments, write_end, seconds)
    os.close(write_end)
    payload, status = _collect(pid, read_end, deadline=time.monotonic() + 2 * seconds + 10)
    if payload is None:
        raise _refused(what, status, seconds)
    kind, value = payload
    if kind == "ok":
        return value
    if kind == "error":
        error_class, message, hint, where = value
        raise error_class(message, hint=hint, where=where)
    if kind == "memory":
        raise RenderError(f"{what}: refused: the render needed more than the memory limit "
                          f"({MEMORY_HEADROOM_BYTES // 2**30} GiB)", hint="a template loop or calculation is probably too big")
    raise WorkerCrash(value)


def _refused(what: str, status: int, seconds: int) -> RenderError:
    return RenderError(f"{what}: refused: the render {_how_it_ended(status)} (limit {seconds} s of CPU time and "
                       f"{MEMORY_HEADROOM_BYTES // 2**30} GiB of memory)",
                       hint="a template loop or calculation is probably too big; "
                            "PLANGEN_RENDER_SECONDS raises the time limit for a very large plan")


def continued_in_child(pieces, what: str, after: int = 0):
    """The str pieces of the generator `pieces`, as UTF-8 bytes. The first `after` characters are
    made here; a generator still going past them is continued in a forked child, which sends its
    pieces through a pipe while this process goes on with them: the render's two halves on two cores
    for a large document (Jinja making the XML there, lxml reading it here), and no second process
    for a small one, where starting it would cost more than it saves. Called inside the worker, so
    the child has the worker's limits (CPU time counts per process) and dies with it. What the
    generator raises is raised here; a child that dies without finishing is a RenderError."""
    can_fork = hasattr(os, "fork")  # no fork (Windows): all of it made here
    if after > 0 or not can_fork:
        made = 0
        for piece in pieces:
            yield piece.encode("utf-8")
            made += len(piece)
            if made >= after and can_fork:
                break  # the generator stays where it is, to be continued in the child
        else:
            return
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _send_pieces(pieces, write_end, what)
    os.close(write_end)
    finished = False
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                header = pipe.read(FRAME_HEADER)
                if len(header) < FRAME_HEADER:
                    break
                body = pipe.read(int.from_bytes(header[1:], "little"))
                if header[:1] == b"D":
                    yield body
                elif header[:1] == b"E":
                    finished = True
                    error, docx_context = pickle.loads(body)
                    if docx_context is not None:
                        error.docx_context = docx_context
                    raise error
                else:
                    finished = True
                    break
    finally:
        if not finished:
            _kill(pid)
        _, status = os.waitpid(pid, 0)
    if not finished:
        raise _refused(what, status, limit_seconds())


FRAME_HEADER = 9  # a frame: b"D" (data), b"E" (an exception, pickled) or b"F" (finished), then 8 bytes of length


def _send_pieces(pieces, write_end: int, what: str) -> None:
    code = 0
    try:
        _die_with_parent()  # not inherited across fork
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        with os.fdopen(write_end, "wb", buffering=1 << 20) as pipe:
            def frame(kind: bytes, body: bytes) -> None:
                pipe.write(kind + len(body).to_bytes(FRAME_HEADER - 1, "little"))
                pipe.write(body)

            try:
                for piece in pieces:
                    frame(b"D", piece.encode("utf-8"))
            except BaseException as error:  # the template's error, raised again in the worker
                docx_context = getattr(error, "docx_context", None)  # Jinja's pickling keeps only its arguments
                try:
                    body = pickle.dumps((error, docx_context), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:
                    body = pickle.dumps((RenderError(f"{what}: {type(error).__name__}: {error}"), docx_context))
                frame(b"E", body)
            else:
                frame(b"F", b"")
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _child(function, arguments, write_end: int, seconds: int) -> None:
    code = 0
    try:
        _limit_self(seconds)
        try:
            payload = ("ok", function(*arguments))
        except PlangenError as error:
            payload = ("error", (type(error), error.message, error.hint, error.where))
        except MemoryError:
            payload = ("memory", None)
        except BaseException:
            payload = ("crash", traceback.format_exc())
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # never return into the parent's code, never run its atexit handlers


def _limit_self(seconds: int) -> None:
    import resource

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    current = _address_space_bytes()
    if current:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = current + MEMORY_HEADROOM_BYTES
        if hard == resource.RLIM_INFINITY or wanted < hard:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the wall-clock limit in the parent still ends the child


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _collect(pid: int, read_end: int, deadline: float):
    """Read the child's answer until it closes the pipe or the deadline passes; always reap the child."""
    chunks = []
    finished = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _, _ = select.select([read_end], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        if not finished:
            _kill(pid)
        _, status = os.waitpid(pid, 0)
    if not finished or not chunks:
        return None, status
    try:
        return pickle.loads(b"".join(chunks)), status
    except Exception:
        return None, status


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU:
            return "took too long"
        if number == signal.SIGKILL:
            return "took too long or was stopped"
        return f"was ended by signal {signal.Signals(number).name}"
    return "ended without an answer (probably out of memory)"
