"""A client's file refused as it is read or locked (``workbook_templates.reading``, ``.archive_guard``,
``.file_lock``, ``.safe_file``): each message, then its fix under the same code followed by ``.fix``."""

_SAVE_AS = "Ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) » ou « CSV UTF-8 »."
_RESAVE = "Enregistrez à nouveau le classeur depuis Excel."
_DAMAGED_FIX = ("Ouvrez-le dans {app} pour vérifier qu'il n'est pas endommagé, puis enregistrez-le à nouveau "
                "(au format « Classeur Excel (*.xlsx) » de préférence).")
_UNCHANGED = "le classeur n'a pas été modifié"
_RESAVE_LOW = "enregistrez à nouveau le classeur depuis Excel."
_LIMITS_FIX = "vérifiez qu'il s'agit bien du classeur de pipeline ; un classeur Excel normal reste sous ces limites."
_ORIGIN_FIX = ("vérifiez l'origine du fichier ; un classeur enregistré par Excel reste sous ces limites. "
               "Au besoin, copiez les données utiles dans un nouveau classeur et enregistrez-le depuis Excel.")

MESSAGES = {
    # reading the file
    "file.read.missing": "fichier introuvable.",
    "file.read.missing.fix": "Vérifiez le chemin : {where}",
    "file.read.folder": "c'est un dossier, pas un fichier.",
    "file.read.folder.fix": "Indiquez le fichier du classeur lui-même.",
    "file.read.unreadable": "lecture impossible ({reason}).",
    "file.read.unreadable.fix": "Fermez le fichier s'il est ouvert ailleurs et vérifiez vos droits d'accès.",
    "file.read.empty": "le fichier est vide (0 octet).",
    "file.read.empty.fix": "Exportez ou enregistrez à nouveau le fichier.",
    "file.read.encrypted": "le classeur est protégé par un mot de passe (chiffré).",
    "file.read.encrypted.fix": ("Ouvrez-le dans Excel, retirez le mot de passe (Fichier > Informations > Protéger "
                                "le classeur > Chiffrer avec mot de passe, champ vide) et enregistrez-le."),
    "file.read.not_that_format": "ce n'est pas un classeur {suffix} valide (contenu non reconnu).",
    "file.read.not_that_format.fix": "Le fichier est peut-être endommagé ou mal nommé : exportez-le à nouveau.",
    "file.read.damaged_zip": "le classeur est endommagé ou incomplet (archive zip illisible).",
    "file.read.damaged_zip.fix": ("Le fichier a peut-être été tronqué lors d'une copie ou d'un envoi : "
                                  "récupérez-en une copie complète ou enregistrez-le à nouveau depuis Excel."),
    "file.read.xlsb": "format Classeur binaire Excel (.xlsb), non pris en charge.",
    "file.read.xlsb.fix": _SAVE_AS,
    "file.read.not_excel": "ce n'est pas un classeur Excel ({kind}).",
    "file.read.not_excel.fix": "Indiquez le classeur .xlsx du pipeline commercial.",
    "file.read.kind.word": "un document Word",
    "file.read.kind.powerpoint": "une présentation PowerPoint",
    "file.read.kind.opendocument": "un document OpenDocument (pas un tableur)",
    "file.read.kind.zip": "une archive zip",
    "file.read.structure": "structure du classeur refusée ({error}).",
    "file.read.structure.fix": _RESAVE,
    "file.read.damaged.xls": "le classeur Excel 97-2003 (.xls) n'a pas pu être lu ({error}).",
    "file.read.damaged.xls.fix": _DAMAGED_FIX.format(app="Excel"),
    "file.read.damaged.ods": "le classeur OpenDocument (.ods) n'a pas pu être lu ({error}).",
    "file.read.damaged.ods.fix": _DAMAGED_FIX.format(app="LibreOffice ou Excel"),
    "file.read.damaged.xlsx": "le classeur n'a pas pu être lu ({error}).",
    "file.read.damaged.xlsx.fix": _DAMAGED_FIX.format(app="Excel"),
    "file.read.no_sheet": "le classeur ne contient aucune feuille.",
    "file.read.no_sheet.fix": "Vérifiez le fichier.",
    "file.read.binary": "ce n'est ni un classeur Excel ni un fichier CSV (contenu binaire).",
    "file.read.binary.fix": "Indiquez le classeur .xlsx ou un export .csv du pipeline.",
    "file.read.no_data": "le fichier ne contient aucune donnée.",
    "file.read.no_data.fix": "Exportez à nouveau le fichier.",
    "file.read.changing": ("le fichier a changé pendant chacune des lectures (un autre programme est en train "
                           "de l'enregistrer)"),
    "file.read.changing.fix": ("attendez la fin de l'enregistrement ou de la synchronisation (OneDrive, "
                               "SharePoint...), puis relancez."),
    # Pilotage's lock and the other programs holding the workbook
    "file.lock.holder": "processus {pid} sur {host}, depuis le {day:date} {time}",
    "file.lock.holder.unknown": "une autre exécution",
    "file.lock.busy": "une autre actualisation Pilotage est en cours sur ce classeur ({who}) ; rien n'a été modifié",
    "file.lock.busy.fix": ("attendez qu'elle se termine puis relancez. Si aucune actualisation ne tourne, "
                           "supprimez le fichier « {lock} » à côté du classeur."),
    "file.lock.no_folder": "le dossier du classeur est introuvable",
    "file.lock.no_folder.fix": "vérifiez le chemin (lecteur réseau déconnecté ?) puis relancez.",
    "file.lock.denied": "impossible de créer le verrou de Pilotage à côté du classeur (accès refusé)",
    "file.lock.denied.fix": "vérifiez que le dossier est accessible en écriture, puis relancez.",
    "file.lock.open_in_app": ("le classeur est ouvert dans {app} (fichier de verrou « {lock} » présent), "
                              "il n'a pas été modifié"),
    "file.lock.open_in_app.fix": ("fermez le classeur dans {app} puis relancez ; si {app} est déjà fermé, "
                                  "supprimez le fichier « {lock} » à côté du classeur."),
    # writing the workbook
    "file.write.busy": f"le classeur est utilisé par un autre programme, {_UNCHANGED}",
    "file.write.busy.fix": ("fermez le programme qui l'utilise (Excel, un antivirus, une synchronisation "
                            "OneDrive en cours...) puis relancez."),
    "file.write.disk_full": f"espace disque insuffisant, {_UNCHANGED}",
    "file.write.disk_full.fix": ("libérez de la place sur le disque du classeur (ou videz le dossier "
                                 "« {backups} » des sauvegardes anciennes), puis relancez."),
    "file.write.too_big": f"taille de fichier maximale atteinte sur ce support, {_UNCHANGED}",
    "file.write.too_big.fix": "enregistrez le classeur sur un autre disque, puis relancez.",
    "file.write.denied": f"écriture refusée par le système (accès refusé), {_UNCHANGED}",
    "file.write.denied.fix": ("vérifiez que le classeur n'est ni ouvert ni en lecture seule et que le dossier "
                              "est accessible en écriture, puis relancez."),
    "file.write.read_only_medium": f"le support est en lecture seule, {_UNCHANGED}",
    "file.write.read_only_medium.fix": "copiez le classeur sur un disque accessible en écriture, puis relancez.",
    "file.write.no_folder": f"le dossier du classeur est introuvable, {_UNCHANGED}",
    "file.write.no_folder.fix": ("vérifiez le chemin (lecteur réseau déconnecté, dossier renommé ?) "
                                 "puis relancez."),
    "file.write.system": f"erreur du système pendant l'écriture ({{reason}}), {_UNCHANGED}",
    "file.write.system.fix": "vérifiez le disque et le dossier du classeur, puis relancez.",
    "file.write.folder_denied": "impossible d'écrire dans le dossier du classeur (accès refusé)",
    "file.write.folder_denied.fix": "choisissez un dossier accessible en écriture.",
    # the archive guard (workbook_templates.archive_guard): a package no Excel would write
    "file.archive.too_many": "l'archive contient {count} éléments, plus que la limite de sécurité de {limit}",
    "file.archive.too_many.fix": _LIMITS_FIX,
    "file.archive.unsafe_name": "l'élément « {member} » {why} : archive refusée",
    "file.archive.unsafe_name.fix": ("ce fichier n'a pas été produit par Excel ; demandez un export propre ou "
                                     "enregistrez-le à nouveau depuis Excel."),
    "file.archive.reason.nul": "contient un caractère nul",
    "file.archive.reason.absolute": "est un chemin absolu",
    "file.archive.reason.parent": "remonte hors de l'archive (« .. »)",
    "file.archive.twice": "l'élément « {member} » apparaît deux fois dans l'archive",
    "file.archive.twice.fix": _RESAVE_LOW,
    "file.archive.member_too_big": ("l'élément « {member} » ferait {size} octets une fois décompressé, plus que "
                                    "la limite de sécurité de {limit}"),
    "file.archive.member_too_big.fix": _LIMITS_FIX,
    "file.archive.member_ratio": ("l'élément « {member} » a un taux de compression anormal ({size} octets pour "
                                  "{packed} compressés)"),
    "file.archive.member_ratio.fix": _LIMITS_FIX,
    "file.archive.too_big": ("l'archive ferait {size} octets une fois décompressée, plus que la limite de "
                             "sécurité de {limit}"),
    "file.archive.too_big.fix": _LIMITS_FIX,
    "file.archive.ratio": "l'archive a un taux de compression anormal ({size} octets pour {packed} compressés)",
    "file.archive.ratio.fix": _LIMITS_FIX,
    "file.archive.inflates_too_much": "l'archive se décompresse en plus que la limite de sécurité de {limit} octets",
    "file.archive.inflates_too_much.fix": _ORIGIN_FIX,
    "file.archive.bad_header": "l'élément « {member} » est endommagé (en-tête illisible)",
    "file.archive.bad_header.fix": _RESAVE_LOW,
    "file.archive.method": ("l'élément « {member} » utilise une méthode de compression qu'Excel n'emploie pas "
                            "(méthode {method})"),
    "file.archive.method.fix": _RESAVE_LOW,
    "file.archive.member_over_limit": ("l'élément « {member} » dépasse la limite de sécurité de {limit} octets "
                                       "une fois décompressé"),
    "file.archive.member_over_limit.fix": _ORIGIN_FIX,
    "file.archive.member_lies": ("l'élément « {member} » se décompresse en plus que les {size} octets annoncés "
                                 "par l'archive (archive falsifiée)"),
    "file.archive.member_lies.fix": _ORIGIN_FIX,
    "file.archive.dtd": "la partie « {member} » {verdict} : refusée par sécurité",
    "file.archive.dtd.fix": ("ce fichier n'a pas été enregistré par Excel ; ouvrez-le dans Excel et "
                             "enregistrez-le à nouveau, ou demandez un export propre."),
    "file.archive.dtd_at_end": "la partie « {member} » {verdict} : refusée par sécurité",
    "file.archive.dtd_at_end.fix": "ouvrez le classeur dans Excel et enregistrez-le à nouveau.",
    "file.archive.reason.long_prolog": "a un prologue XML anormalement long",
    "file.archive.reason.dtd": "contient une déclaration de type de document (DTD, entités XML)",
}
