from handel.orders.models.documents import CreditMemo, CreditMemoLine, Invoice, InvoiceLine
from handel.orders.models.orders import Order, OrderEvent, OrderLine
from handel.orders.models.receivables import CustomerPayment, DunningNotice, PaymentAllocation
from handel.orders.models.returns import ReturnLine, ReturnPolicy, ReturnRequest
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
    "ReturnLine",
    "ReturnPolicy",
    "ReturnRequest",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLine",
]
