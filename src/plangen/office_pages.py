"""Run by a Python that has LibreOffice's `uno` module (not plangen's venv), as one LibreOffice session:

    python3 office_pages.py SOFFICE PROFILE_ARG WATCHDOG_FD

Starts one private headless LibreOffice and serves jobs, one JSON object a line on stdin:
{"docx": path, "pdf": path or null, "bookmarks": [name, …] or null for all, "contents_filled": bool}. For each it opens the
.docx hidden, lays it out with its contents at full length, and answers one JSON line on stdout: the
page of every contents entry and of the bookmarks asked for
({"headings": [[level, text, page], …], "bookmarks": {name: page}}),
after writing the tagged PDF when asked; or {"error": message}. End of stdin ends the session.

The same file is also loaded into that LibreOffice by its own Python loader (see `in_process`), where
`laid_out_pages` reads and sets a paper's pages without a round trip over the bridge per call.

Watchdog: plangen starts this process as the leader of a new process group and keeps the only
write end of the pipe WATCHDOG_FD. A forked child blocks reading it; when plangen exits for any
reason (even SIGKILL) the pipe closes and the child kills the whole group, LibreOffice included.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager


def start_watchdog(descriptor):
    if os.fork() == 0:
        try:
            while os.read(descriptor, 4096):
                pass
        finally:
            os.killpg(os.getpgid(0), signal.SIGKILL)
            os._exit(0)
    os.close(descriptor)


def prop(name, value):
    from com.sun.star.beans import PropertyValue

    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


# writer_pdf_Export options: tagged PDF/UA with the document's title shown, outline from the headings
PDF_OPTIONS = {
    "UseTaggedPDF": True,
    "PDFUACompliance": True,
    "ExportBookmarks": True,
    "ExportBookmarksToPDFDestination": True,
    "DisplayPDFDocumentTitle": True,
    "ExportLinksRelativeFsys": False,
    "ConvertOOoTargetToPDFTarget": True,
    "OpenBookmarkLevels": 2,
    "UseLosslessCompression": False,
    "Quality": 90,
}


def load(desktop, docx):
    import uno

    url = uno.systemPathToFileUrl(os.path.abspath(docx))
    return desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True)))


def lay_out(document, pdf, wanted=None, contents_filled=False, pages_job=None):
    """Lay the loaded `document` out; the pages of its contents entries and of the bookmarks
    `wanted` (None: all), after exporting its tagged PDF to `pdf` if that is given. `pages_job` is
    this module loaded into LibreOffice (see `in_process`); without it the pages are read over the
    bridge, a round trip per call."""
    import uno

    if pages_job is not None:
        from com.sun.star.beans import NamedValue

        answer = json.loads(pages_job.execute((NamedValue("document", document), NamedValue("wanted", json.dumps(wanted)),
                                               NamedValue("contents_filled", contents_filled))))
    else:
        answer = laid_out_pages(document, wanted, contents_filled)
    if pdf:
        options = uno.Any("[]com.sun.star.beans.PropertyValue",
                          tuple(prop(name, value) for name, value in PDF_OPTIONS.items()))
        document.storeToURL(uno.systemPathToFileUrl(os.path.abspath(pdf)),
                            (prop("FilterName", "writer_pdf_Export"), prop("FilterData", options)))
    return answer


def laid_out_pages(document, wanted=None, contents_filled=False):
    """{"headings": [[level, text, page], …] of the contents, "bookmarks": {name: page} of those
    `wanted` (None: all), "pages": count}, the document laid out with its contents at full length
    (`contents_filled`: plangen filled them in; see `contents_entries`).
    (PAGEREF results need no refresh of the fields: LibreOffice sets them as it lays out.)"""
    cursor = document.getCurrentController().getViewCursor()
    names = document.getBookmarks()

    def page_of(name):
        cursor.gotoRange(names.getByName(name).getAnchor(), False)
        return cursor.getPage()

    headings = []
    indexes = document.getDocumentIndexes()
    for position in range(indexes.getCount()):
        index = indexes.getByIndex(position)
        if index.supportsService("com.sun.star.text.ContentIndex"):
            headings += contents_entries(document, index, page_of, names.hasByName, contents_filled)
        else:
            index.update()
    bookmarks = {name: page_of(name) for name in (names.getElementNames() if wanted is None else wanted)
                 if names.hasByName(name)}
    pages = document.getCurrentController().getPropertyValue("PageCount")
    return {"headings": headings, "bookmarks": bookmarks, "pages": pages}


# passes setting a filled contents' page numbers until none moves (a longer number can wrap an entry
# and move the pages after it); a contents still moving after them is left to LibreOffice's update
SETTLING_PASSES = 3


def contents_entries(document, index, page_of, is_bookmark, filled):
    """[level, heading text, page] of each entry of a table of contents, laid out.

    plangen fills a paper's contents in before LibreOffice opens it (office.for_layout): each entry
    a link to a bookmark on its heading, so the contents are laid out at their full length from the
    start (`filled`). Each entry's page number is then set where it stands, which LibreOffice lays
    out again only around the entry: the paper is laid out once, as a plain conversion would. Any
    other contents (a template's own entries may be stale) is updated by LibreOffice, which
    regenerates it from the headings and lays the whole paper out a second time (0.3 s for a
    55-page plan); so is a filled one whose entries do not all link to bookmarks."""
    for _ in range(SETTLING_PASSES if filled else 0):
        settled = _set_pages(document, index, page_of, is_bookmark)
        if settled is None:
            break  # an entry not linking to a bookmark on its heading
        entries, moved = settled
        if not moved:
            return entries
    index.update()
    return [[level, heading, int(shown)] for level, _, heading, shown in _entry_paragraphs(index)
            if shown.strip().isdigit()]


def _set_pages(document, index, page_of, is_bookmark):
    """One pass over a filled contents, setting each entry's page number to its heading's page:
    ([level, heading, page] of every entry, whether a number changed), or None if the contents are
    not filled in by plangen (no entry, or an entry not linking to a bookmark)."""
    found = []
    for level, paragraph, heading, shown in _entry_paragraphs(index):
        target = _link_target(paragraph)
        if target is None or not is_bookmark(target):
            return None
        found.append((level, paragraph, heading, shown, page_of(target)))
    # every page read before any number is set: a page read after a change waits for LibreOffice
    # to lay the change out
    moved = False
    with _unwatched(document):
        for _, paragraph, _, shown, page in found:
            if shown != str(page):
                # the new number goes in before the old, inside the entry's link (text put in place
                # of the old would fall outside it), then the old is taken out
                cursor = paragraph.getText().createTextCursorByRange(paragraph.getEnd())
                cursor.goLeft(len(shown), False)
                cursor.getText().insertString(cursor, str(page), False)
                cursor.goRight(len(shown), True)
                cursor.setString("")
                moved = True
    entries = [[level, heading, page] for level, _, heading, _, page in found]
    return (entries, moved) if entries else None


@contextmanager
def _unwatched(document):
    """Changes made with the document's views and undo list not told of each one: the plan's 35
    numbers took 0.15-0.35 s set one by one in full view, 0.02 s so (the document is only read and
    exported afterwards, never saved, so there is nothing to undo)."""
    undo = document.getUndoManager()
    document.lockControllers()
    undo.lock()
    try:
        yield
    finally:
        undo.unlock()
        document.unlockControllers()


def _entry_paragraphs(index):
    """(level, paragraph, heading text, page text) of each entry paragraph of a contents index: a
    paragraph in a "Contents N" style whose text has a page after its last tab (not the index's title)."""
    anchor = index.getAnchor()
    paragraphs = anchor.getText().createTextCursorByRange(anchor).createEnumeration()
    while paragraphs.hasMoreElements():
        paragraph = paragraphs.nextElement()
        style = paragraph.getPropertyValue("ParaStyleName")
        level = style[len("Contents "):]
        text = paragraph.getString()
        if not (style.startswith("Contents ") and level.isdigit() and "\t" in text):
            continue
        heading, shown = text.rsplit("\t", 1)
        if heading.strip():
            yield int(level), paragraph, heading, shown


def _link_target(paragraph):
    """The bookmark an entry links to ("#name" in its text's hyperlink), or None."""
    portions = paragraph.createEnumeration()
    while portions.hasMoreElements():
        url = portions.nextElement().getPropertyValue("HyperLinkURL")
        if url.startswith("#"):
            return url[1:]
    return None


IMPLEMENTATION = "org.plangen.office_pages.LaidOutPages"


def in_process(context):
    """This module loaded into LibreOffice by its own Python loader (from python3-uno), as a job
    reading a document's pages: each of the hundreds of calls `laid_out_pages` makes then costs
    microseconds instead of a round trip over the bridge (0.3 s a plan). None if it cannot be loaded."""
    import uno

    try:
        loader = context.ServiceManager.createInstanceWithContext("com.sun.star.loader.Python", context)
        factory = loader.activate(IMPLEMENTATION, "", uno.systemPathToFileUrl(os.path.abspath(__file__)), None)
        return factory.createInstanceWithContext(context)
    except Exception as error:
        print(f"plangen: reading pages over the bridge: {error}", file=sys.stderr)
        return None


def _implementation_helper():
    import unohelper
    from com.sun.star.task import XJob

    class LaidOutPages(unohelper.Base, XJob):
        def __init__(self, context):
            self.context = context

        def execute(self, arguments):
            given = {argument.Name: argument.Value for argument in arguments}
            return json.dumps(laid_out_pages(given["document"], json.loads(given["wanted"]), given["contents_filled"]))

    helper = unohelper.ImplementationHelper()
    helper.addImplementation(LaidOutPages, IMPLEMENTATION, ("com.sun.star.task.Job",))
    return helper


def embedded_python_environment():
    """LibreOffice's environment, with the Python it embeds (see `in_process`) told where its own
    library is: left to itself it looks for "python3" on the PATH, and a pyenv or conda Python found
    there first made loading it fail after seconds. That embedded Python is the one whose `uno`
    module this script imported, so its home is this interpreter's."""
    environment = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "PYTHONSTARTUP")}
    environment.update(PYTHONHOME=sys.base_prefix, PYTHONNOUSERSITE="1")
    return environment


def connect(soffice, profile):
    pipe = "plangen" + uuid.uuid4().hex
    process = subprocess.Popen([soffice, profile, "--headless", "--invisible", "--nologo", "--norestore",
                                "--nodefault", "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sys.stderr,
                               env=embedded_python_environment())
    import uno  # while LibreOffice starts

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:  # plangen's timeout bounds the wait
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            if process.poll() is not None:
                raise SystemExit(f"LibreOffice exited while starting (status {process.returncode})")
            time.sleep(0.01)  # LibreOffice takes about 1.5 s to accept: a short wait costs nothing
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return process, context, desktop


def main():
    soffice, profile, watchdog = sys.argv[1], sys.argv[2], int(sys.argv[3])
    start_watchdog(watchdog)
    process, context, desktop = connect(soffice, profile)
    # LibreOffice's Python is started for the job while the first paper loads (0.05 s that the
    # first paper would otherwise wait for)
    loading = threading.Thread(target=lambda: loaded.append(in_process(context)), daemon=True)
    loaded = []
    loading.start()
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            job = json.loads(line)
            document = None
            try:
                document = load(desktop, job["docx"])
                loading.join()
                answer = lay_out(document, job.get("pdf"), job.get("bookmarks"), job.get("contents_filled", False), loaded[0])
            except Exception as error:  # a UNO error: report it against this paper; plangen stops the build
                answer = {"error": f"{type(error).__name__}: {getattr(error, 'Message', '') or error}"}
            # answered before the paper is closed: closing takes up to a quarter of a second, which
            # plangen would otherwise wait for after the last paper of a build
            print(json.dumps(answer), flush=True)
            if document is not None:
                try:
                    document.close(True)
                except Exception:
                    pass  # the paper is done with; a session that cannot go on fails on the next one
        try:
            desktop.terminate()
        except Exception:
            pass  # terminate drops the bridge as LibreOffice exits
    finally:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
elif __name__ == "uno_component":  # loaded into LibreOffice by its Python loader: see in_process
    g_ImplementationHelper = _implementation_helper()
