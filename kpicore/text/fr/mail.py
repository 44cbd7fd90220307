"""Delivery by e-mail (addin.mail): the messages, the run's log lines and the errors of sending."""

MESSAGES = {
    # the messages
    "mail.greeting": "Bonjour,",
    "mail.signature": "— Pilotage",
    "mail.deck.subject": "{deck}",
    "mail.deck.intro": "Voici la {deck}. Les chiffres clés :",
    "mail.deck.row": "- {label} : {values}",
    "mail.deck.attached": "La présentation est jointe (PPTX).",
    "mail.deck.attached_pdf": "La présentation est jointe en PPTX et en PDF.",
    "mail.deck.no_libreoffice": "LibreOffice n'est pas installé sur le poste qui a préparé ce message : "
                                "ni PDF ni image de la diapositive de synthèse, seulement la présentation PPTX.",
    "mail.deck.no_image": "L'image de la diapositive de synthèse n'a pas pu être produite (pdftoppm absent) ; "
                          "le PDF est joint.",
    "mail.deck.no_pdf": "Le PDF n'a pas pu être produit ({reason}) : seule la présentation PPTX est jointe.",
    "mail.rep.subject": "Votre vue Pilotage au {as_of:date}",
    "mail.rep.greeting": "Bonjour {name},",
    "mail.rep.intro": "Voici votre vue Pilotage au {as_of:date} : vos indicateurs et vos activités "
                      "des trois derniers mois, en pièce jointe.",
    "mail.rep.private": "Ce fichier ne contient que vos propres chiffres.",
    "mail.test.subject": "Pilotage : message de test",
    "mail.test.body": "Ce message confirme que Pilotage peut envoyer des e-mails par le serveur {host} "
                      "(port {port}).",
    # the run's log
    "mail.step.deck": "envoi {deck}",
    "mail.step.rep": "envoi vue {rep}",
    "mail.step.reps": "envoi aux commerciaux",
    "mail.log.sent": "envoyé à {to} ; {what}",
    "mail.log.rep_sent": "envoyé à {to} ; pièce jointe {file}",
    "mail.log.complete": "PPTX, PDF et image de la synthèse",
    "mail.log.no_libreoffice": "LibreOffice introuvable : ni PDF ni image, PPTX seul",
    "mail.log.partial": "PDF ou image manquant ({reason})",
    "mail.log.join": "{first} ; {then}",
    "mail.log.kept": "message enregistré dans {file} (non envoyé : ouvrez-le dans Outlook pour l'envoyer)",
    "mail.log.not_kept": "le message n'a pas pu être enregistré dans {file} : {reason}",
    "mail.log.reps_without_address": "{count:count|commercial actif|commerciaux actifs} sans adresse e-mail "
                                     "dans la feuille Commerciaux (colonne E-mail) : {reps}",
    # the errors
    "mail.error.address": "adresse e-mail invalide : « {address} » → écrivez-la sous la forme nom@domaine.fr "
                          "(plusieurs adresses séparées par des virgules).",
    "mail.error.port": "port SMTP invalide : « {value} » → indiquez un nombre, 587 (STARTTLS) ou 465 (TLS).",
    "mail.error.cafile": "fichier de certificats introuvable : {file} → corrigez PILOTAGE_SMTP_CAFILE.",
    "mail.error.no_server": "aucun serveur SMTP configuré → renseignez PILOTAGE_SMTP_HOST ou le paramètre "
                            "mail.smtp_host de la feuille Paramètres.",
    "mail.error.no_sender": "aucun expéditeur configuré → renseignez PILOTAGE_SMTP_FROM ou le paramètre mail.from "
                            "de la feuille Paramètres.",
    "mail.error.no_password": "le compte SMTP {user} n'a pas de mot de passe → renseignez PILOTAGE_SMTP_PASSWORD "
                              "(jamais dans le classeur).",
    "mail.error.no_recipients": "aucun destinataire → indiquez --to ou le paramètre {key} de la feuille Paramètres.",
    "mail.error.connect": "connexion impossible au serveur SMTP {host}:{port} ({reason}) → vérifiez le nom du "
                          "serveur, le port et le réseau.",
    "mail.error.timeout": "le serveur SMTP {host}:{port} ne répond pas (plus de {seconds} s) → vérifiez le serveur "
                          "et le port.",
    "mail.error.no_starttls": "le serveur SMTP {host}:{port} ne propose pas STARTTLS → utilisez le port 465 (TLS) "
                              "ou demandez à l'administrateur d'activer STARTTLS.",
    "mail.error.certificate": "le certificat du serveur SMTP {host}:{port} n'a pas pu être vérifié ({reason}) → "
                              "indiquez le certificat de l'autorité de l'entreprise dans PILOTAGE_SMTP_CAFILE.",
    "mail.error.tls": "échec du chiffrement TLS avec le serveur SMTP {host}:{port} ({reason}) → vérifiez le port "
                      "(587 STARTTLS, 465 TLS).",
    "mail.error.no_auth": "le serveur SMTP {host}:{port} n'accepte pas d'authentification → retirez "
                          "PILOTAGE_SMTP_USER ou vérifiez le chiffrement (STARTTLS).",
    "mail.error.auth": "authentification refusée pour {user} par le serveur SMTP {host}:{port} ({reason}) → "
                       "vérifiez PILOTAGE_SMTP_USER et PILOTAGE_SMTP_PASSWORD.",
    "mail.error.refused": "destinataire refusé par le serveur SMTP : {addresses} ({reason}) → vérifiez l'adresse.",
    "mail.error.sender_refused": "expéditeur {sender} refusé par le serveur SMTP ({reason}) → vérifiez mail.from "
                                 "ou PILOTAGE_SMTP_FROM.",
    "mail.error.smtp": "le serveur SMTP {host}:{port} a refusé le message ({reason}).",
    # pilotage mail test
    "mail.test.sent": "Message de test envoyé à {to} par {host}:{port}.",
    "mail.test.failed": "Échec de l'envoi du message de test : {reason}",
    # the command line
    "cli.help.run.mail": "envoie chaque deck écrit par ce lancement à son audience (serveur SMTP : variables "
                         "PILOTAGE_SMTP_* ou feuille Paramètres)",
    "cli.help.run.to": "destinataires des decks, séparés par des virgules (sinon le paramètre mail.<type>.to)",
    "cli.help.run.to_reps": "envoie à chaque commercial actif sa propre vue, à l'adresse de la feuille Commerciaux",
    "cli.help.mail": "vérifie l'envoi d'e-mails (message de test)",
    "cli.help.mail.action": "test : envoie un court message de test",
    "cli.help.mail.to": "adresse du destinataire du message de test",
    "cli.help.mail.file": "classeur dont la feuille Paramètres complète la configuration (facultatif)",
    "cli.error.to_without_mail": "--to ne sert qu'avec --mail → ajoutez --mail, ou retirez --to.",
    "cli.metavar.addresses": "ADRESSES",
}
