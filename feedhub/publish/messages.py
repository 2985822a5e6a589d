"""The few words a widget says itself, in the widget's language."""

from __future__ import annotations

from functools import lru_cache

MESSAGES: dict[str, dict[str, str]] = {
    "en": {"empty": "No posts yet.", "pinned": "Pinned", "reposted": "{name} reposted",
           "reply": "Reply", "sensitive": "Sensitive content"},
    "fr": {"empty": "Aucune publication pour l’instant.", "pinned": "Épinglé",
           "reposted": "{name} a partagé", "reply": "Réponse", "sensitive": "Contenu sensible"},
    "de": {"empty": "Noch keine Beiträge.", "pinned": "Angeheftet", "reposted": "{name} teilte",
           "reply": "Antwort", "sensitive": "Heikler Inhalt"},
    "es": {"empty": "Todavía no hay publicaciones.", "pinned": "Fijado",
           "reposted": "{name} compartió", "reply": "Respuesta", "sensitive": "Contenido sensible"},
    "it": {"empty": "Ancora nessun post.", "pinned": "In evidenza",
           "reposted": "{name} ha condiviso", "reply": "Risposta",
           "sensitive": "Contenuto sensibile"},
    "nl": {"empty": "Nog geen berichten.", "pinned": "Vastgezet", "reposted": "{name} deelde",
           "reply": "Antwoord", "sensitive": "Gevoelige inhoud"},
    "pt": {"empty": "Ainda não há publicações.", "pinned": "Fixado",
           "reposted": "{name} compartilhou", "reply": "Resposta",
           "sensitive": "Conteúdo sensível"},
}
NETWORK_NAMES = {"feed": "", "mastodon": "Mastodon", "bluesky": "Bluesky", "youtube": "YouTube",
                 "reddit": "Reddit", "x": "X"}


@lru_cache(maxsize=64)
def messages_for(locale: str) -> dict[str, str]:
    """The widget's words for a locale ("pt_BR" → Portuguese), English where we have none."""
    language = locale.replace("-", "_").split("_")[0].lower()
    return MESSAGES.get(language, MESSAGES["en"])
