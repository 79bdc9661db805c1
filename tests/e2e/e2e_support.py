"""Small files the end-to-end tests send."""

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The first bytes of a real .docx (a ZIP container); the bot never opens it, only keeps it.
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"word/document.xml" + bytes(64)
