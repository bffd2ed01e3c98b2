from __future__ import annotations

from django import forms

from .models import Transaction

CATEGORY_SUGGESTIONS = [
    "Salary", "Rent", "Groceries", "Transport", "Utilities", "Dining", "Health",
    "Entertainment", "Refund", "Savings", "Other",
]


class TransactionForm(forms.ModelForm):
    class Meta:
        model = Transaction
        fields = ["amount", "description", "category"]
        widgets = {
            "amount": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            "category": forms.TextInput(attrs={"list": "category-suggestions"}),
        }
        help_texts = {"amount": "Positive for income, negative for an expense."}
