"""Lượt counter app: the officers' desktop client (customtkinter), speaking the JSON API."""
