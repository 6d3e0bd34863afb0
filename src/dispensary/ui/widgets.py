"""Small pieces the counter screens share: headings, read-only tables, dates between Qt and
Python."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView

from dispensary.study import Study
from dispensary.ui.models.table import RowFilterProxy, RowTableModel


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("screenTitle")
    return label


def kit_table(
    model: RowTableModel[Any], stretch_column: int = 1, sortable: bool = False
) -> QTableView:
    """A read-only table of whole rows, one column taking the spare width; sortable through
    the typed proxy when asked."""
    view = QTableView()
    if sortable:
        proxy = RowFilterProxy(view)
        proxy.setSourceModel(model)
        view.setModel(proxy)
        view.setSortingEnabled(True)
    else:
        view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return view


def product_label(study: Study, code: str) -> str:
    """'7.5 mg tablet': what a pharmacist reads on the shelf, for a product code."""
    product = study.product(code)
    return f"{product.strength} {product.form}"


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
