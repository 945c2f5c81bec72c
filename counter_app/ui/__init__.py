"""The counter window (customtkinter): pages, panels and the small sheets for details."""
