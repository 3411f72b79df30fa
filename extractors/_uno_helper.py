"""Drive one headless LibreOffice over UNO: convert files to .docx, one request a line.

Run by `extractors/office.py` with a Python that can `import uno` (Debian's python3 with
python3-uno; not our venv), never imported by the pipeline:

    python3 _uno_helper.py SOFFICE PROFILE_DIR

It starts `soffice` (its own child, with the private profile PROFILE_DIR), connects to it
through a named pipe and prints one JSON line `{"ready": true, "version": …}`. Then, for
each JSON line `{"in": path, "out": path}` on stdin (optional "filter": the export
filter, Word 2007 XML by default), it loads the file (hidden, read-only,
macros never run, links never updated), checks that LibreOffice read it as a text
document, stores it as Word 2007 XML and answers one JSON line: `{"ok": true, "filter":
the import filter LibreOffice chose}` or `{"ok": false, "error": one-line reason}`
(with `"crashed": true`, and this helper exits, when soffice died).
End of stdin (the extraction process finished or died) terminates soffice and exits, so
no LibreOffice outlives the process that needed it. Timeouts are the caller's business:
it kills this helper's process group (this helper and its soffice).
"""
import json
import os
import subprocess
import sys
import time
import uuid


def reply(**obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def one_line(exc):
    msg = getattr(exc, "Message", None) or str(exc) or type(exc).__name__
    return " ".join(msg.split())[:200]


def alive(desktop):
    try:
        desktop.getFrames().getCount()
        return True
    except Exception:  # DisposedException: the bridge to soffice is gone
        return False


def main():
    soffice, profile = sys.argv[1], sys.argv[2]
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException

    def props(**kw):
        out = []
        for name, value in kw.items():
            p = PropertyValue()
            p.Name, p.Value = name, value
            out.append(p)
        return tuple(out)

    pipe = f"baocao_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    office = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
         "--nolockcheck", "--nofirststartwizard",
         f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    while ctx is None:
        if office.poll() is not None:
            reply(ready=False, error=f"soffice exited with code {office.returncode} at start")
            return
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.1)
    smgr = ctx.ServiceManager
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    try:
        cp = smgr.createInstanceWithArgumentsAndContext(
            "com.sun.star.configuration.ConfigurationProvider", (), ctx)
        access = cp.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess",
            props(nodepath="/org.openoffice.Setup/Product"))
        version = f"{access.ooName} {access.ooSetupVersionAboutBox}"
    except Exception:
        version = "LibreOffice"
    reply(ready=True, version=version)

    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            doc = None
            try:
                doc = desktop.loadComponentFromURL(
                    uno.systemPathToFileUrl(os.path.abspath(req["in"])), "_blank", 0,
                    props(Hidden=True, ReadOnly=True, MacroExecutionMode=0,  # NEVER_EXECUTE
                          UpdateDocMode=0))  # NO_UPDATE: linked files are not fetched
                if doc is None:
                    reply(ok=False, error="LibreOffice cannot open the file (encrypted or damaged?)")
                    continue
                if not doc.supportsService("com.sun.star.text.TextDocument"):
                    reply(ok=False, error="LibreOffice did not read it as a text document")
                    continue
                args = {p.Name: p.Value for p in doc.getArgs()}
                doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(req["out"])),
                               props(FilterName=req.get("filter") or "MS Word 2007 XML",
                                     Overwrite=True))
                reply(ok=True, filter=args.get("FilterName"))
            except Exception as exc:  # IOException, IllegalArgumentException, …
                if not alive(desktop):  # soffice died (on this file, or before it)
                    reply(ok=False, crashed=True, error=f"LibreOffice crashed: {one_line(exc)}")
                    return
                reply(ok=False, error=f"LibreOffice cannot read the file: {one_line(exc)}")
            finally:
                if doc is not None:
                    try:
                        doc.close(True)
                    except Exception:
                        try:
                            doc.dispose()
                        except Exception:
                            pass
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=10)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
