from django.urls import path

from handel.storefront import views

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
]
