import re
import unicodedata


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Zoé-Anne" gives "zoeanne"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode().lower())
