from handel.orders.models.documents import CreditMemo, CreditMemoLine, Invoice, InvoiceLine
from handel.orders.models.orders import Order, OrderEvent, OrderLine
from handel.orders.models.receivables import CustomerPayment, DunningNotice, PaymentAllocation
from handel.orders.models.shipments import Shipment, ShipmentEvent, ShipmentLine

__all__ = [
    "CreditMemo",
    "CreditMemoLine",
    "CustomerPayment",
    "DunningNotice",
    "Invoice",
    "InvoiceLine",
    "Order",
    "OrderEvent",
    "OrderLine",
    "PaymentAllocation",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLine",
]
