"""Crisis lines shipped with a new installation. Administrators keep them current in the admin.

Compiled from the numbers the services publish, without a live check (this machine has no
internet). An operator should confirm the lines for their countries before launch. Only the data
migration reads this module; after installation, change lines in the admin, not here.
"""

from typing import Any

E, C, S = "emergency", "crisis", "support"
H24 = "24 hours, every day"

# (country, name, kind, phone, sms, url, hours, description, languages)
LINES: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    ("US", "988 Suicide & Crisis Lifeline", C, "988", "Text 988", "https://988lifeline.org", H24,
     "Call or text if you are struggling, in crisis, or worried about someone.", "English, Spanish, interpreters"),
    ("US", "Crisis Text Line", C, "", "Text HOME to 741741", "https://www.crisistextline.org", H24,
     "Text with a trained crisis counsellor.", "English, Spanish"),
    ("US", "The Trevor Project", C, "1-866-488-7386", "Text START to 678-678", "https://www.thetrevorproject.org", H24,
     "For LGBTQ+ young people.", "English"),
    ("US", "Emergency services", E, "911", "", "", H24, "Police, fire and ambulance.", ""),
    ("GB", "Samaritans", C, "116 123", "", "https://www.samaritans.org", H24,
     "Free from any phone, whatever you are going through.", "English, Welsh"),
    ("GB", "Shout", C, "", "Text SHOUT to 85258", "https://giveusashout.org", H24, "Free text support.", "English"),
    ("GB", "NHS 111 (mental health option)", S, "111", "", "https://111.nhs.uk", H24,
     "Urgent mental health help from the NHS. Choose the mental health option.", "English, interpreters"),
    ("GB", "Emergency services", E, "999", "", "", H24, "Police, fire and ambulance.", ""),
    ("IE", "Samaritans Ireland", C, "116 123", "", "https://www.samaritans.org/ireland/", H24,
     "Free from any phone, whatever you are going through.", "English"),
    ("IE", "Pieta", C, "1800 247 247", "Text HELP to 51444", "https://www.pieta.ie", H24,
     "For people thinking about suicide or self-harm.", "English"),
    ("IE", "Text About It", C, "", "Text HELLO to 50808", "https://text50808.ie", H24, "Free text support.", "English"),
    ("IE", "Emergency services", E, "112", "", "", H24, "You can also call 999.", ""),
    ("CA", "9-8-8 Suicide Crisis Helpline", C, "988", "Text 988", "https://988.ca", H24,
     "Call or text if you are thinking about suicide or worried about someone.", "English, French"),
    ("CA", "Kids Help Phone", C, "1-800-668-6868", "Text CONNECT to 686868", "https://kidshelpphone.ca", H24,
     "For young people.", "English, French"),
    ("CA", "Emergency services", E, "911", "", "", H24, "Police, fire and ambulance.", ""),
    ("AU", "Lifeline", C, "13 11 14", "Text 0477 13 11 14", "https://www.lifeline.org.au", H24,
     "Crisis support and suicide prevention.", "English"),
    ("AU", "Beyond Blue", S, "1300 22 4636", "", "https://www.beyondblue.org.au", H24,
     "Support for anxiety and depression.", "English"),
    ("AU", "13YARN", C, "13 92 76", "", "https://www.13yarn.org.au", H24,
     "Crisis support run by Aboriginal and Torres Strait Islander people.", "English"),
    ("AU", "Emergency services", E, "000", "", "", H24, "Police, fire and ambulance.", ""),
    ("NZ", "1737, Need to talk?", C, "1737", "Text 1737", "https://1737.org.nz", H24,
     "Call or text to talk with a trained counsellor.", "English, te reo Māori"),
    ("NZ", "Lifeline Aotearoa", C, "0800 543 354", "Text 4357 (HELP)", "https://www.lifeline.org.nz", H24, "", "English"),
    ("NZ", "Emergency services", E, "111", "", "", H24, "Police, fire and ambulance.", ""),
    ("DE", "TelefonSeelsorge", C, "0800 111 0 111", "", "https://www.telefonseelsorge.de", H24,
     "Also on 0800 111 0 222 and 116 123. Free and anonymous.", "Deutsch"),
    ("DE", "Nummer gegen Kummer", S, "116 111", "", "https://www.nummergegenkummer.de", "Mon–Sat, 14:00–20:00",
     "For children and young people.", "Deutsch"),
    ("DE", "Notruf", E, "112", "", "", H24, "Ambulance and fire service.", ""),
    ("FR", "3114 — Numéro national de prévention du suicide", C, "3114", "", "https://3114.fr", H24,
     "Free, for people in distress and those worried about them.", "Français"),
    ("FR", "SOS Amitié", S, "09 72 39 40 50", "", "https://www.sos-amitie.com", H24, "Listening support.", "Français"),
    ("FR", "Urgences", E, "112", "", "", H24, "Or 15 for the SAMU ambulance service.", ""),
    ("ES", "Línea 024 de atención a la conducta suicida", C, "024", "", "https://www.sanidad.gob.es/linea024/", H24,
     "Free and confidential.", "Español and co-official languages"),
    ("ES", "Teléfono de la Esperanza", S, "717 003 717", "", "https://telefonodelaesperanza.org", H24, "", "Español"),
    ("ES", "Emergencias", E, "112", "", "", H24, "", ""),
    ("IT", "Telefono Amico Italia", S, "02 2327 2327", "", "https://www.telefonoamico.it", "Every day, 10:00–24:00",
     "Listening support.", "Italiano"),
    ("IT", "Samaritans Onlus", C, "06 77208977", "", "https://www.samaritansonlus.org", "Every day, 13:00–22:00",
     "Suicide prevention.", "Italiano, English"),
    ("IT", "Emergenza", E, "112", "", "", H24, "", ""),
    ("NL", "113 Zelfmoordpreventie", C, "113", "", "https://www.113.nl", H24, "Also free on 0800-0113.", "Nederlands"),
    ("NL", "De Luisterlijn", S, "088 0767 000", "", "https://www.deluisterlijn.nl", H24, "Listening support.", "Nederlands"),
    ("NL", "Alarmnummer", E, "112", "", "", H24, "", ""),
    ("BE", "Zelfmoordlijn 1813", C, "1813", "", "https://www.zelfmoord1813.be", H24, "", "Nederlands"),
    ("BE", "Centre de Prévention du Suicide", C, "0800 32 123", "", "https://www.preventionsuicide.be", H24, "", "Français"),
    ("BE", "Urgences / Noodnummer", E, "112", "", "", H24, "", ""),
    ("SE", "Självmordslinjen (Mind)", C, "90101", "", "https://mind.se", H24, "Call or chat.", "Svenska"),
    ("SE", "Nödnummer", E, "112", "", "", H24, "", ""),
    ("NO", "Mental Helse Hjelpetelefonen", C, "116 123", "", "https://mentalhelse.no", H24, "", "Norsk"),
    ("NO", "Kirkens SOS", C, "22 40 00 40", "", "https://www.kirkens-sos.no", H24, "", "Norsk"),
    ("NO", "Medisinsk nødtelefon", E, "113", "", "", H24, "Ambulance. Police: 112.", ""),
    ("DK", "Livslinien", C, "70 201 201", "", "https://www.livslinien.dk", "Every day, 11:00–05:00",
     "For people thinking about suicide and those close to them.", "Dansk"),
    ("DK", "Alarm", E, "112", "", "", H24, "", ""),
    ("FI", "MIELI Crisis Helpline", C, "09 2525 0111", "", "https://mieli.fi", H24, "", "Suomi"),
    ("FI", "Hätänumero", E, "112", "", "", H24, "", ""),
    ("CH", "Die Dargebotene Hand / La Main Tendue", C, "143", "", "https://www.143.ch", H24, "",
     "Deutsch, Français, Italiano"),
    ("CH", "Pro Juventute", S, "147", "", "https://www.147.ch", H24, "For children and young people.",
     "Deutsch, Français, Italiano"),
    ("CH", "Sanitätsnotruf / Ambulance", E, "144", "", "", H24, "Or 112.", ""),
    ("AT", "TelefonSeelsorge", C, "142", "", "https://www.telefonseelsorge.at", H24, "", "Deutsch"),
    ("AT", "Rat auf Draht", S, "147", "", "https://www.rataufdraht.at", H24, "For children and young people.", "Deutsch"),
    ("AT", "Rettung", E, "144", "", "", H24, "Or 112.", ""),
    ("JP", "Inochi no Denwa", C, "0570-783-556", "", "https://www.inochinodenwa.org", "", "", "日本語"),
    ("JP", "TELL Lifeline", C, "03-5774-0992", "", "https://telljp.com/lifeline/", "", "In English.", "English"),
    ("JP", "Emergency (ambulance)", E, "119", "", "", H24, "", ""),
    ("IN", "Tele-MANAS", C, "14416", "", "https://telemanas.mohfw.gov.in", H24,
     "Government mental health helpline. Also 1-800-891-4416.", "Many Indian languages"),
    ("IN", "AASRA", C, "+91 98204 66726", "", "http://www.aasra.info", H24, "", "English, Hindi"),
    ("IN", "Emergency", E, "112", "", "", H24, "", ""),
    ("ZA", "SADAG Suicide Crisis Helpline", C, "0800 567 567", "", "https://www.sadag.org", H24, "", "English"),
    ("ZA", "Lifeline South Africa", C, "0861 322 322", "", "https://lifelinesa.co.za", H24, "", "English"),
    ("ZA", "Emergency", E, "112", "", "", H24, "From a mobile phone. Ambulance: 10177.", ""),
    ("BR", "CVV — Centro de Valorização da Vida", C, "188", "", "https://cvv.org.br", H24, "Free.", "Português"),
    ("BR", "SAMU", E, "192", "", "", H24, "Ambulance.", ""),
    ("MX", "Línea de la Vida", C, "800 911 2000", "", "https://www.gob.mx/salud/conadic", H24, "", "Español"),
    ("MX", "Emergencias", E, "911", "", "", H24, "", ""),
    ("SG", "Samaritans of Singapore (SOS)", C, "1767", "WhatsApp 9151 1767 (CareText)", "https://www.sos.org.sg", H24,
     "", "English"),
    ("SG", "Emergency (ambulance)", E, "995", "", "", H24, "", ""),
    ("HK", "The Samaritan Befrienders Hong Kong", C, "2389 2222", "", "https://sbhk.org.hk", H24, "", "中文, English"),
    ("HK", "Samaritans Hong Kong", C, "2896 0000", "", "https://samaritans.org.hk", H24, "", "Multilingual"),
    ("HK", "Emergency", E, "999", "", "", H24, "", ""),
    ("PH", "NCMH Crisis Hotline", C, "1553", "", "https://doh.gov.ph", H24, "Also 0917 899 8727.", "Filipino, English"),
    ("PH", "Emergency", E, "911", "", "", H24, "", ""),
    ("AR", "Centro de Asistencia al Suicida", C, "135", "", "https://www.asistenciaalsuicida.org.ar", H24,
     "Free from Buenos Aires; from elsewhere (011) 5275-1135.", "Español"),
    ("AR", "Emergencias", E, "911", "", "", H24, "", ""),
]  # fmt: skip


def seed_crisis_lines(model: Any) -> int:
    """Create the shipped lines with `model` (the real model, or a migration's historical one) if
    there are none yet. Returns how many were created."""
    if model.objects.exists():
        return 0
    created = model.objects.bulk_create(
        model(
            country=country, name=name, kind=kind, phone=phone, sms=sms, url=url,
            hours=hours, description=description, languages=languages, position=(index + 1) * 10,
        )
        for index, (country, name, kind, phone, sms, url, hours, description, languages) in enumerate(LINES)
    )  # fmt: skip
    return len(created)
