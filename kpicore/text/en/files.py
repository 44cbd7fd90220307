"""A client's file refused as it is read or locked (``workbook_templates.reading``, ``.archive_guard``,
``.file_lock``, ``.safe_file``): each message, then its fix under the same code followed by ``.fix``."""

_SAVE_AS = "Open it in Excel and save it as “Excel Workbook (*.xlsx)” or “CSV UTF-8”."
_RESAVE = "Save the workbook again from Excel."
_DAMAGED_FIX = ("Open it in {app} to check that it is not damaged, then save it again "
                "(preferably as “Excel Workbook (*.xlsx)”).")
_UNCHANGED = "the workbook was not changed"
_RESAVE_LOW = "save the workbook again from Excel."
_LIMITS_FIX = "check that this is indeed the pipeline workbook; a normal Excel workbook stays under these limits."
_ORIGIN_FIX = ("check where the file comes from; a workbook saved by Excel stays under these limits. If need be, "
               "copy the useful data into a new workbook and save it from Excel.")

MESSAGES = {
    # reading the file
    "file.read.missing": "file not found.",
    "file.read.missing.fix": "Check the path: {where}",
    "file.read.folder": "this is a folder, not a file.",
    "file.read.folder.fix": "Give the workbook file itself.",
    "file.read.unreadable": "cannot be read ({reason}).",
    "file.read.unreadable.fix": "Close the file if it is open elsewhere and check your access rights.",
    "file.read.empty": "the file is empty (0 bytes).",
    "file.read.empty.fix": "Export or save the file again.",
    "file.read.encrypted": "the workbook is protected by a password (encrypted).",
    "file.read.encrypted.fix": ("Open it in Excel, remove the password (File > Info > Protect Workbook > "
                                "Encrypt with Password, empty field) and save it."),
    "file.read.not_that_format": "this is not a valid {suffix} workbook (content not recognised).",
    "file.read.not_that_format.fix": "The file may be damaged or misnamed: export it again.",
    "file.read.damaged_zip": "the workbook is damaged or incomplete (unreadable zip archive).",
    "file.read.damaged_zip.fix": ("The file may have been cut short while being copied or sent: get a complete "
                                  "copy or save it again from Excel."),
    "file.read.xlsb": "Excel Binary Workbook format (.xlsb), not supported.",
    "file.read.xlsb.fix": _SAVE_AS,
    "file.read.not_excel": "this is not an Excel workbook ({kind}).",
    "file.read.not_excel.fix": "Give the .xlsx workbook of the sales pipeline.",
    "file.read.kind.word": "a Word document",
    "file.read.kind.powerpoint": "a PowerPoint presentation",
    "file.read.kind.opendocument": "an OpenDocument file (not a spreadsheet)",
    "file.read.kind.zip": "a zip archive",
    "file.read.structure": "workbook structure refused ({error}).",
    "file.read.structure.fix": _RESAVE,
    "file.read.damaged.xls": "the Excel 97-2003 workbook (.xls) could not be read ({error}).",
    "file.read.damaged.xls.fix": _DAMAGED_FIX.format(app="Excel"),
    "file.read.damaged.ods": "the OpenDocument workbook (.ods) could not be read ({error}).",
    "file.read.damaged.ods.fix": _DAMAGED_FIX.format(app="LibreOffice or Excel"),
    "file.read.damaged.xlsx": "the workbook could not be read ({error}).",
    "file.read.damaged.xlsx.fix": _DAMAGED_FIX.format(app="Excel"),
    "file.read.no_sheet": "the workbook holds no sheet.",
    "file.read.no_sheet.fix": "Check the file.",
    "file.read.binary": "this is neither an Excel workbook nor a CSV file (binary content).",
    "file.read.binary.fix": "Give the .xlsx workbook or a .csv export of the pipeline.",
    "file.read.no_data": "the file holds no data.",
    "file.read.no_data.fix": "Export the file again.",
    "file.read.changing": ("the file changed during every read (another program is saving it)"),
    "file.read.changing.fix": ("wait until the save or the sync (OneDrive, SharePoint...) is over, then run "
                               "again."),
    # Pilotage's lock and the other programs holding the workbook
    "file.lock.holder": "process {pid} on {host}, since {day:date} {time}",
    "file.lock.holder.unknown": "another run",
    "file.lock.busy": "another Pilotage refresh is running on this workbook ({who}); nothing was changed",
    "file.lock.busy.fix": ("wait until it is over, then run again. If no refresh is running, delete the "
                           "\u201c{lock}\u201d file next to the workbook."),
    "file.lock.no_folder": "the workbook's folder cannot be found",
    "file.lock.no_folder.fix": "check the path (network drive disconnected?), then run again.",
    "file.lock.denied": "Pilotage's lock cannot be created next to the workbook (access denied)",
    "file.lock.denied.fix": "check that the folder can be written to, then run again.",
    "file.lock.open_in_app": ("the workbook is open in {app} (lock file \u201c{lock}\u201d present), "
                              "it was not changed"),
    "file.lock.open_in_app.fix": ("close the workbook in {app}, then run again; if {app} is already closed, "
                                  "delete the \u201c{lock}\u201d file next to the workbook."),
    # writing the workbook
    "file.write.busy": f"the workbook is in use by another program, {_UNCHANGED}",
    "file.write.busy.fix": ("close the program using it (Excel, an antivirus, a OneDrive sync in progress...), "
                            "then run again."),
    "file.write.disk_full": f"not enough disk space, {_UNCHANGED}",
    "file.write.disk_full.fix": ("free some space on the workbook's disk (or empty the \u201c{backups}\u201d "
                                 "folder of old backups), then run again."),
    "file.write.too_big": f"maximum file size reached on this drive, {_UNCHANGED}",
    "file.write.too_big.fix": "save the workbook on another disk, then run again.",
    "file.write.denied": f"writing refused by the system (access denied), {_UNCHANGED}",
    "file.write.denied.fix": ("check that the workbook is neither open nor read-only and that the folder can "
                              "be written to, then run again."),
    "file.write.read_only_medium": f"the drive is read-only, {_UNCHANGED}",
    "file.write.read_only_medium.fix": "copy the workbook to a disk that can be written to, then run again.",
    "file.write.no_folder": f"the workbook's folder cannot be found, {_UNCHANGED}",
    "file.write.no_folder.fix": "check the path (network drive disconnected, folder renamed?), then run again.",
    "file.write.system": f"system error while writing ({{reason}}), {_UNCHANGED}",
    "file.write.system.fix": "check the disk and the workbook's folder, then run again.",
    "file.write.folder_denied": "cannot write in the workbook's folder (access denied)",
    "file.write.folder_denied.fix": "choose a folder that can be written to.",
    # the archive guard (workbook_templates.archive_guard): a package no Excel would write
    "file.archive.too_many": "the archive holds {count} items, more than the safety limit of {limit}",
    "file.archive.too_many.fix": _LIMITS_FIX,
    "file.archive.unsafe_name": "the item \u201c{member}\u201d {why}: archive refused",
    "file.archive.unsafe_name.fix": ("this file was not made by Excel; ask for a clean export or save it again "
                                     "from Excel."),
    "file.archive.reason.nul": "holds a null character",
    "file.archive.reason.absolute": "is an absolute path",
    "file.archive.reason.parent": "climbs out of the archive (\u201c..\u201d)",
    "file.archive.twice": "the item \u201c{member}\u201d appears twice in the archive",
    "file.archive.twice.fix": _RESAVE_LOW,
    "file.archive.member_too_big": ("the item \u201c{member}\u201d would be {size} bytes once uncompressed, "
                                    "more than the safety limit of {limit}"),
    "file.archive.member_too_big.fix": _LIMITS_FIX,
    "file.archive.member_ratio": ("the item \u201c{member}\u201d has an abnormal compression ratio ({size} "
                                  "bytes for {packed} compressed)"),
    "file.archive.member_ratio.fix": _LIMITS_FIX,
    "file.archive.too_big": ("the archive would be {size} bytes once uncompressed, more than the safety limit "
                             "of {limit}"),
    "file.archive.too_big.fix": _LIMITS_FIX,
    "file.archive.ratio": "the archive has an abnormal compression ratio ({size} bytes for {packed} compressed)",
    "file.archive.ratio.fix": _LIMITS_FIX,
    "file.archive.inflates_too_much": "the archive uncompresses to more than the safety limit of {limit} bytes",
    "file.archive.inflates_too_much.fix": _ORIGIN_FIX,
    "file.archive.bad_header": "the item \u201c{member}\u201d is damaged (unreadable header)",
    "file.archive.bad_header.fix": _RESAVE_LOW,
    "file.archive.method": ("the item \u201c{member}\u201d uses a compression method Excel does not use "
                            "(method {method})"),
    "file.archive.method.fix": _RESAVE_LOW,
    "file.archive.member_over_limit": ("the item \u201c{member}\u201d exceeds the safety limit of {limit} bytes "
                                       "once uncompressed"),
    "file.archive.member_over_limit.fix": _ORIGIN_FIX,
    "file.archive.member_lies": ("the item \u201c{member}\u201d uncompresses to more than the {size} bytes the "
                                 "archive announces (forged archive)"),
    "file.archive.member_lies.fix": _ORIGIN_FIX,
    "file.archive.dtd": "the part \u201c{member}\u201d {verdict}: refused for safety",
    "file.archive.dtd.fix": ("this file was not saved by Excel; open it in Excel and save it again, or ask for a "
                             "clean export."),
    "file.archive.dtd_at_end": "the part \u201c{member}\u201d {verdict}: refused for safety",
    "file.archive.dtd_at_end.fix": "open the workbook in Excel and save it again.",
    "file.archive.reason.long_prolog": "has an abnormally long XML prolog",
    "file.archive.reason.dtd": "holds a document type declaration (DTD, XML entities)",
}
