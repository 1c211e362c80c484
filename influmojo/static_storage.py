"""Static files in production: WhiteNoise's compressed, hashed files, with ES module imports rewritten too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """`import { el } from "./dom.js"` in chat.js / notifications.js points at dom.js's hashed name after
    collectstatic (Django leaves module imports alone by default), so a deploy never pairs a new module with
    a cached old helper."""

    support_js_module_import_aggregation = True
