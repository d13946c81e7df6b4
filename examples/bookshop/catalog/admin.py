from django.contrib import admin

from .models import Author, Book, Review


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "price", "published"]
    list_filter = ["published"]
    search_fields = ["title", "isbn", "author__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    inlines = [ReviewInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["book", "name", "rating", "created"]
    list_filter = ["rating"]
