from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.BookListView.as_view(), name="book_list"),
    path("books/<slug:slug>/", views.BookDetailView.as_view(), name="book_detail"),
    path("books/<slug:slug>/review/", views.review_create, name="review_create"),
]
