"""Run by a Python that has LibreOffice's `uno` module (not plangen's venv):

    python3 office_pages.py SOFFICE PROFILE_ARG DOCX OUTPUT_JSON [DOCX OUTPUT_JSON …]

Starts one private headless LibreOffice, opens each DOCX hidden, and writes the page on which
every Heading 1/2 paragraph and every bookmark falls, as LibreOffice lays the document out.
"""

import json
import os
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def pages_of(desktop, docx, output):
    url = uno.systemPathToFileUrl(os.path.abspath(docx))
    document = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True)))
    try:
        # Lay the contents out at their real length first: a filled table of contents can run to
        # more pages than the placeholder, which would move every page after it.
        indexes = document.getDocumentIndexes()
        for position in range(indexes.getCount()):
            indexes.getByIndex(position).update()
        cursor = document.getCurrentController().getViewCursor()
        headings = []
        enumeration = document.getText().createEnumeration()
        while enumeration.hasMoreElements():
            element = enumeration.nextElement()
            if not element.supportsService("com.sun.star.text.Paragraph"):
                continue
            level = element.getPropertyValue("OutlineLevel")
            if level in (1, 2) and element.getString().strip():
                cursor.gotoRange(element.getStart(), False)
                headings.append([level, element.getString(), cursor.getPage()])
        bookmarks = {}
        names = document.getBookmarks()
        for name in names.getElementNames():
            cursor.gotoRange(names.getByName(name).getAnchor(), False)
            bookmarks[name] = cursor.getPage()
    finally:
        document.close(True)
    with open(output, "w", encoding="utf-8") as handle:
        json.dump({"headings": headings, "bookmarks": bookmarks}, handle)


def main():
    soffice, profile = sys.argv[1:3]
    jobs = list(zip(sys.argv[3::2], sys.argv[4::2]))
    pipe = "plangen" + uuid.uuid4().hex
    process = subprocess.Popen([soffice, profile, "--headless", "--invisible", "--nologo", "--norestore",
                                "--nodefault", f"--accept=pipe,name={pipe};urp;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        context = None
        for _ in range(600):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if process.poll() is not None:
                    raise SystemExit("LibreOffice exited while starting")
                time.sleep(0.1)
        if context is None:
            raise SystemExit("LibreOffice did not start")
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        for docx, output in jobs:
            pages_of(desktop, docx, output)
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
