from django.urls import path

from handel.storefront import company_views, orders_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/", views.account_view, name="account"),
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", views.logout_view, name="logout"),
    path("account/signup/", views.signup_view, name="signup"),
    path("account/profile/", views.profile_view, name="profile"),
    path("account/password/", views.password_change_view, name="password_change"),
    path("account/reset/", views.password_reset_request_view, name="password_reset"),
    path("account/reset/<str:uidb64>/<str:token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("account/addresses/new/", views.address_view, name="address_new"),
    path("account/addresses/<int:address_id>/", views.address_view, name="address_edit"),
    path("account/addresses/<int:address_id>/delete/", views.address_delete_view, name="address_delete"),
    path("account/export/", views.export_view, name="export_data"),
    path("account/delete/", views.delete_account_view, name="delete_account"),
    path("account/orders/", orders_views.order_list, name="orders"),
    path("account/orders/<str:number>/", orders_views.order_detail, name="order_detail"),
    path("account/orders/<str:number>/return/", orders_views.return_request, name="return_request"),
    path("account/orders/<str:number>/reorder/", orders_views.reorder, name="reorder"),
    path("account/invoices/<str:number>.pdf", orders_views.invoice_pdf, name="invoice_pdf"),
    path("account/credit-memos/<str:number>.pdf", orders_views.credit_memo_pdf, name="credit_memo_pdf"),
    path("account/returns/", orders_views.return_list, name="returns"),
    path("account/statement/", orders_views.statement, name="statement"),
    path("account/company/", company_views.company_overview, name="company"),
    path("account/purchase-orders/", company_views.purchase_order_list, name="purchase_orders"),
    path("account/purchase-orders/<str:number>/", company_views.purchase_order_detail, name="purchase_order"),
    path(
        "account/purchase-orders/<str:number>/decide/",
        company_views.purchase_order_decide,
        name="purchase_order_decide",
    ),
]
