"""The LibreOffice Calc parts: the Pilotage menu's actions and the .oxt extension build."""
