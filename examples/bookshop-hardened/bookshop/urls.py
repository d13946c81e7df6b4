"""URL configuration for the bookshop project."""

from django.contrib import admin
from django.urls import include, path

# The admin lives at a non-default path to keep it out of drive-by scans.
urlpatterns = [
    path("backstage-7f3a/", admin.site.urls),
    path("", include("catalog.urls")),
]
