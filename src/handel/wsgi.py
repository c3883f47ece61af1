import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handel.settings")
application = get_wsgi_application()

# Each worker process runs this once it has started: import every view now, then take the
# start-up heap out of the garbage collector's scans. Its full collections then walk only what
# requests allocate, instead of pausing a request for tens of milliseconds over Django's own
# long-lived objects.
url_patterns = get_resolver().url_patterns
gc.freeze()
