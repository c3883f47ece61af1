"""Demo reviews, questions and a shared wishlist from the demo customers. Idempotent: products that
have reviews already, and customers that have a wishlist already, are left alone."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from handel.catalog.browsing import Viewer
from handel.catalog.engagement.models import Question, Review, Wishlist
from handel.catalog.engagement.services import questions, reviews, wishlists
from handel.catalog.queries import visible_products
from handel.core.demo import DemoContext

TITLES = {
    5: ["Excellent", "Does exactly what it should", "Top quality"],
    4: ["Very good", "Solid choice"],
    3: ["Fine for the price", "Okay"],
    2: ["Disappointing"],
    1: ["Broke after a week"],
}
QUESTIONS = ["Is this available in other sizes?", "How long is the warranty?", "Can I order spare parts?"]


def build(context: DemoContext) -> None:
    rng = context.random_for("catalog engagement")
    customers = list(get_user_model().objects.filter(is_staff=False, is_active=True).order_by("id")[:30])
    if not customers:
        return
    for channel in ("b2c", "b2b"):
        viewer = Viewer(channel_code=channel)
        products = list(visible_products(channel_code=channel).order_by("sku").values_list("id", "sku")[:400])
        if not products:
            continue
        reviewed = set(Review.objects.values_list("product_id", flat=True))
        for product_id, sku in sorted(rng.sample(products, min(len(products), 40))):
            if product_id in reviewed:
                continue
            for customer in rng.sample(customers, min(len(customers), rng.randint(1, 5))):
                rating = rng.choices([5, 4, 3, 2, 1], weights=[45, 30, 12, 8, 5])[0]
                review = reviews.create_review(
                    viewer=viewer,
                    customer=customer,
                    sku=sku,
                    rating=rating,
                    title=rng.choice(TITLES[rating]),
                    body="Used it for a few weeks now.",
                    language="en",
                )
                if rng.random() < 0.9:
                    reviews.moderate_review(actor=None, review_id=str(review.public_id), decision="approve")
            if rng.random() < 0.3 and not Question.objects.filter(product_id=product_id).exists():
                question = questions.ask_question(
                    viewer=viewer, customer=rng.choice(customers), sku=sku, text=rng.choice(QUESTIONS)
                )
                questions.moderate_question(actor=None, question_id=str(question.public_id), decision="approve")
        owner = customers[0] if channel == "b2c" else customers[-1]
        if not Wishlist.objects.filter(customer=owner).exists():
            wishlist = wishlists.create_wishlist(customer=owner, name="Favourites", is_shared=True)
            for _, sku in rng.sample(products, min(len(products), 5)):
                wishlists.add_to_wishlist(viewer=viewer, customer=owner, wishlist_id=str(wishlist.public_id), sku=sku)
