"""Product media: ordered gallery images (uploaded or referenced by URL), documents, 360° spin
sets and 3D models. Files live in Django's default storage; rows keep their paths and facts."""

from __future__ import annotations

import uuid

from django.db import models


class SpinSet(models.Model):
    """A 360° view: frames are images taken around the product, in turning order."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="spin_sets")
    title = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return self.title or f"spin set {self.public_id}"


class ProductImage(models.Model):
    """A gallery image of a product (a variant's own images hang on the variant), or a frame of
    a spin set. Either an uploaded file with renditions, or an external URL (from an import)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="images")
    spin_set = models.ForeignKey(SpinSet, null=True, blank=True, on_delete=models.CASCADE, related_name="frames")
    position = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=300, blank=True)
    translations = models.JSONField(default=dict, blank=True, help_text='{"nl": {"alt_text": "..."}}')
    file = models.CharField(max_length=300, blank=True, help_text="storage path of the original upload")
    external_url = models.URLField(max_length=1000, blank=True, help_text="an image kept elsewhere (imports)")
    format = models.CharField(max_length=10, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    byte_size = models.PositiveIntegerField(null=True, blank=True)
    renditions = models.JSONField(
        default=dict, blank=True, help_text='{"thumb": {"path": "...", "width": 160, "height": 120}, ...}'
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "position", "id"]
        indexes = [models.Index(fields=["product", "spin_set", "position"], name="catalog_media_image_order")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(file="") & ~models.Q(external_url=""))
                | (~models.Q(file="") & models.Q(external_url="")),
                name="catalog_media_image_file_or_url",
            ),
        ]

    def __str__(self) -> str:
        return self.alt_text or self.file or self.external_url


class ProductDocument(models.Model):
    class Kind(models.TextChoices):
        DATASHEET = "datasheet", "Datasheet"
        MANUAL = "manual", "Manual"
        CERTIFICATE = "certificate", "Certificate"
        SAFETY = "safety", "Safety data sheet"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DATASHEET)
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=10, default="en")
    file = models.CharField(max_length=300)
    byte_size = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ProductModel3D(models.Model):
    """A glTF 2.0 model for interactive 3D (and AR) viewing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="models_3d")
    title = models.CharField(max_length=200, blank=True)
    format = models.CharField(max_length=10, help_text="glb or gltf")
    file = models.CharField(max_length=300)
    byte_size = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "position", "id"]
        verbose_name = "3D model"

    def __str__(self) -> str:
        return self.title or self.file
