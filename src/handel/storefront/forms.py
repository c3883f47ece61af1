from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    marketing_opt_in = forms.BooleanField(label=_("Send me offers by email"), required=False)


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    marketing_opt_in = forms.BooleanField(label=_("Send me offers by email"), required=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class PasswordResetForm(forms.Form):
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class AddressForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=50, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200)
    street2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(label=_("Country code"), max_length=2, min_length=2)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    is_default_shipping = forms.BooleanField(label=_("Default shipping address"), required=False)
    is_default_billing = forms.BooleanField(label=_("Default billing address"), required=False)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("Confirm with your password"), widget=forms.PasswordInput)
