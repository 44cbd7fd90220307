"""The Excel parts: the ribbon, its actions, the VBA dispatcher, the cell functions, the .xlam build."""
