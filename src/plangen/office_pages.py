"""Run by a Python that has LibreOffice's `uno` module (not plangen's venv), as one LibreOffice session:

    python3 office_pages.py SOFFICE PROFILE_ARG WATCHDOG_FD

Starts one private headless LibreOffice and serves jobs, one JSON object a line on stdin:
{"docx": path, "pdf": path or null, "bookmarks": [name, …] or null for all}. For each it opens the
.docx hidden, lays it out with its contents at full length, and answers one JSON line on stdout: the
page of every contents entry and of the bookmarks asked for
({"headings": [[level, text, page], …], "bookmarks": {name: page}}),
after writing the tagged PDF when asked; or {"error": message}. End of stdin ends the session.

Watchdog: plangen starts this process as the leader of a new process group and keeps the only
write end of the pipe WATCHDOG_FD. A forked child blocks reading it; when plangen exits for any
reason (even SIGKILL) the pipe closes and the child kills the whole group, LibreOffice included.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid


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


def lay_out(document, pdf, wanted=None):
    """Lay the loaded `document` out; the pages of its contents entries and of the bookmarks
    `wanted` (None: all), after exporting its tagged PDF to `pdf` if that is given."""
    import uno

    # Lay the contents out at their real length first: a filled table of contents can run to
    # more pages than the placeholder, which would move every page after it.
    # (PAGEREF results need no refresh of the fields: LibreOffice sets them as it lays out;
    # refreshing every field cost up to 0.15 s a paper)
    indexes = document.getDocumentIndexes()
    for position in range(indexes.getCount()):
        indexes.getByIndex(position).update()
    headings = contents_entries(indexes)
    cursor = document.getCurrentController().getViewCursor()
    bookmarks = {}
    names = document.getBookmarks()
    for name in names.getElementNames() if wanted is None else wanted:
        if names.hasByName(name):
            cursor.gotoRange(names.getByName(name).getAnchor(), False)
            bookmarks[name] = cursor.getPage()
    pages = document.getCurrentController().getPropertyValue("PageCount")
    if pdf:
        options = uno.Any("[]com.sun.star.beans.PropertyValue",
                          tuple(prop(name, value) for name, value in PDF_OPTIONS.items()))
        document.storeToURL(uno.systemPathToFileUrl(os.path.abspath(pdf)),
                            (prop("FilterName", "writer_pdf_Export"), prop("FilterData", options)))
    return {"headings": headings, "bookmarks": bookmarks, "pages": pages}


def contents_entries(indexes):
    """[level, heading text, page] of each entry of the document's tables of contents, as LibreOffice
    just laid them out. Each call over the UNO bridge costs about a millisecond, and a paragraph's
    text another half: the entries' words and pages are read in one call for the whole index, their
    levels from the paragraphs' styles (walking every paragraph of the body instead cost over a
    second for a 55-page paper, reading each entry's own text 0.2 s)."""
    entries = []
    for position in range(indexes.getCount()):
        index = indexes.getByIndex(position)
        if not index.supportsService("com.sun.star.text.ContentIndex"):
            continue
        anchor = index.getAnchor()
        paragraphs = anchor.getText().createTextCursorByRange(anchor).createEnumeration()
        styles = []
        while paragraphs.hasMoreElements():
            styles.append(paragraphs.nextElement().getPropertyValue("ParaStyleName"))
        texts = anchor.getString().split("\n")
        if len(texts) != len(styles):
            # an entry over several lines (LibreOffice 7.4 lists a heading's line break as a
            # space; should another not): each paragraph's own text
            paragraphs = anchor.getText().createTextCursorByRange(anchor).createEnumeration()
            texts = [paragraphs.nextElement().getString() for _ in styles]
        for style, text in zip(styles, texts):
            if not style.startswith("Contents ") or "\t" not in text:
                continue  # the index's own title, or an entry without a page
            level = style[len("Contents "):]
            heading, page = text.rsplit("\t", 1)
            if level.isdigit() and page.strip().isdigit() and heading.strip():
                entries.append([int(level), heading, int(page)])
    return entries


def connect(soffice, profile):
    pipe = "plangen" + uuid.uuid4().hex
    process = subprocess.Popen([soffice, profile, "--headless", "--invisible", "--nologo", "--norestore",
                                "--nodefault", "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sys.stderr)
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
            time.sleep(0.05)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return process, desktop


def main():
    soffice, profile, watchdog = sys.argv[1], sys.argv[2], int(sys.argv[3])
    start_watchdog(watchdog)
    process, desktop = connect(soffice, profile)
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            job = json.loads(line)
            document = None
            try:
                document = load(desktop, job["docx"])
                answer = lay_out(document, job.get("pdf"), job.get("bookmarks"))
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
