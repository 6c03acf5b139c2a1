"""French titles and descriptions of the open data views (COMMENT ON VIEW and COLUMN).

Revision ID: 0012_opendata_titles
Revises: 0008_public_role
Create Date: 2026-12-02

The OGC API (api.ogc) reads each view's comment as its collection's title (first line) and
description (the rest); QGIS and psql show the same comments to those who connect directly.
The main columns are described too (psql, QGIS's field comments).
"""

from __future__ import annotations

from alembic import op

revision = "0012_opendata_titles"
down_revision = "0011_dataset_versions"
branch_labels = None
depends_on = None

#: view → (title, description)
VIEWS = {
    "plans": (
        "Plans d'aménagement",
        "Périmètre de chaque plan d'aménagement, avec son statut (approuvé, en cours), "
        "son acte d'approbation, sa publication au Bulletin officiel, sa date de fin de "
        "validité et le nombre d'objets de chaque couche.",
    ),
    "zones": (
        "Zones d'aménagement",
        "Zonage des plans d'aménagement : code et libellé de la zone, hauteur et nombre de "
        "niveaux maximaux, règles du règlement d'aménagement.",
    ),
    "voies_amenagement": (
        "Voies d'aménagement projetées",
        "Emprise des voies prévues par les plans d'aménagement : référence, nom et largeur "
        "d'emprise en mètres (l'alignement à respecter).",
    ),
    "servitudes": (
        "Servitudes",
        "Servitudes d'utilité publique et zones non aedificandi : nature, libellé et "
        "largeur de la bande protégée.",
    ),
    "reservations": (
        "Réservations pour équipements publics",
        "Emplacements réservés par les plans d'aménagement aux équipements publics, "
        "espaces verts et places : code et libellé.",
    ),
    "secteurs": (
        "Secteurs particuliers",
        "Secteurs à régime particulier : médina, ksar, kasbah, lotissements réceptionnés ou "
        "restructurés, patrimoine, et secteurs où le règlement ne s'applique pas.",
    ),
    "projets_autorises": (
        "Projets autorisés",
        "Registre public des autorisations de construire : numéro et date du permis, "
        "commune, nature, usage, procédure, niveaux, hauteur, surface de plancher, statut. "
        "Aucune donnée personnelle.",
    ),
    "evenements_projets": (
        "Événements du registre des projets",
        "Identifiants des changements du registre (flux en direct).",
    ),
}

#: (view, column) → description
COLUMNS = {
    ("zones", "code"): "code de la zone au règlement d'aménagement",
    ("zones", "label"): "libellé de la zone",
    ("zones", "max_height_m"): "hauteur maximale (m)",
    ("zones", "max_storeys"): "nombre maximal de niveaux",
    ("voies_amenagement", "width_m"): "largeur d'emprise de la voie (m)",
    ("servitudes", "kind"): "nature de la servitude",
    ("servitudes", "buffer_m"): "largeur de la bande protégée (m)",
    ("reservations", "code"): "code de la réservation",
    ("reservations", "label"): "équipement ou espace réservé",
    ("secteurs", "kind"): "nature du secteur",
    ("projets_autorises", "permit_number"): "numéro de l'autorisation",
    ("projets_autorises", "permit_date"): "date de l'autorisation",
    ("projets_autorises", "floor_area_m2"): "surface de plancher (m²)",
    ("projets_autorises", "height_m"): "hauteur (m)",
}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def upgrade() -> None:
    for view, (title, description) in VIEWS.items():
        op.execute(f"COMMENT ON VIEW opendata.{view} IS {_literal(title + chr(10) + description)}")
    for (view, column), description in COLUMNS.items():
        op.execute(f"COMMENT ON COLUMN opendata.{view}.{column} IS {_literal(description)}")


def downgrade() -> None:
    for view, column in COLUMNS:
        op.execute(f"COMMENT ON COLUMN opendata.{view}.{column} IS NULL")
    for view in VIEWS:
        op.execute(f"COMMENT ON VIEW opendata.{view} IS NULL")
