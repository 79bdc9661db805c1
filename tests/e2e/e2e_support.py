"""Small files the end-to-end tests send."""

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The first bytes of a real .docx (a ZIP container); the bot never opens it, only keeps it.
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"word/document.xml" + bytes(64)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
