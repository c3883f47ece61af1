from handel.catalog.models.assortments import Assortment
from handel.catalog.models.attributes import (
    Attribute,
    AttributeOption,
    ProductAttributeValue,
    ProductTemplate,
    TemplateAttribute,
)
from handel.catalog.models.categories import Category, ProductCategory
from handel.catalog.models.imports import CatalogImportJob
from handel.catalog.models.products import (
    Brand,
    BundleOption,
    BundleOptionGroup,
    KitComponent,
    Product,
    ProductChannel,
    ProductRelation,
)

__all__ = [
    "Assortment",
    "Attribute",
    "AttributeOption",
    "Brand",
    "BundleOption",
    "BundleOptionGroup",
    "CatalogImportJob",
    "Category",
    "KitComponent",
    "Product",
    "ProductAttributeValue",
    "ProductCategory",
    "ProductChannel",
    "ProductRelation",
    "ProductTemplate",
    "TemplateAttribute",
]
