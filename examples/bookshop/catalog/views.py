from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import DetailView, ListView

from .forms import ReviewForm
from .models import Book


class BookListView(ListView):
    model = Book
    paginate_by = 20
    queryset = Book.objects.select_related("author")


class BookDetailView(DetailView):
    model = Book
    queryset = Book.objects.select_related("author").prefetch_related("reviews")


def review_create(request, slug):
    book = get_object_or_404(Book, slug=slug)
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            review = form.save(commit=False)
            review.book = book
            review.save()
            return redirect(book)
    else:
        form = ReviewForm()
    return render(request, "catalog/review_form.html", {"book": book, "form": form})
