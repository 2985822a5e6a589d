"""The config file: its schema (`schema`, `sources`, `fields`, `units`), the platforms
(`platforms`: one record per source type) and its loading (`loader`). Imports nothing of
feedhub but itself; every other stage may import it.

`from feedhub.config import Config, load_config, ...` is the way in for the rest of the package.
"""

from feedhub.config.fields import NAME_RE
from feedhub.config.loader import ConfigError, load_config, parse_config, valid_locale
from feedhub.config.platforms import PLATFORMS, Platform, Platforms, SourceConfig
from feedhub.config.schema import (
    BUILTIN_WIDGETS_DIR,
    AdminConfig,
    Config,
    FetchConfig,
    Filters,
    MediaConfig,
    MoreLink,
    StorageConfig,
    WidgetConfig,
    theme_names,
)
from feedhub.config.server import ServerConfig
from feedhub.config.sources import (
    BlueskySource,
    FacebookSource,
    FeedSource,
    InstagramSource,
    LemmySource,
    MastodonSource,
    PeertubeSource,
    PixelfedSource,
    RedditSource,
    SourceBase,
    ThreadsSource,
    TumblrSource,
    XSource,
    YoutubeSource,
)
from feedhub.config.walls import (
    BlueskyFeedSource,
    BlueskyLikesSource,
    BlueskySearchSource,
    InstagramTagSource,
    MastodonFavouritesSource,
    MastodonListSource,
    MastodonTagSource,
    ModerationRules,
    PixelfedTagSource,
    ThreadsSearchSource,
    TumblrTagSource,
)

__all__ = [
    "BUILTIN_WIDGETS_DIR",
    "NAME_RE",
    "PLATFORMS",
    "AdminConfig",
    "BlueskyFeedSource",
    "BlueskyLikesSource",
    "BlueskySearchSource",
    "BlueskySource",
    "Config",
    "ConfigError",
    "FacebookSource",
    "FeedSource",
    "FetchConfig",
    "Filters",
    "InstagramSource",
    "InstagramTagSource",
    "LemmySource",
    "MastodonFavouritesSource",
    "MastodonListSource",
    "MastodonSource",
    "MastodonTagSource",
    "MediaConfig",
    "ModerationRules",
    "MoreLink",
    "PeertubeSource",
    "Platform",
    "Platforms",
    "PixelfedSource",
    "PixelfedTagSource",
    "RedditSource",
    "ServerConfig",
    "SourceBase",
    "SourceConfig",
    "StorageConfig",
    "ThreadsSearchSource",
    "ThreadsSource",
    "TumblrSource",
    "TumblrTagSource",
    "WidgetConfig",
    "XSource",
    "YoutubeSource",
    "load_config",
    "parse_config",
    "theme_names",
    "valid_locale",
]
