"""A large, deterministic dataset for benchmarks and load tests.

One heavy patient (about three entries a day for the whole period) and many ordinary
patients (a few hundred entries each), with appointments and questions. The same seed
and --end date give the same rows. Every demo user shares one password, hashed once.
"""

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from education.models import BodySite, Section, Symptom, SymptomSection
from portal.models import Appointment, DiaryDay, DiaryEntry, Question

HEAVY_USERNAME = "heavy"
PATIENT_PREFIX = "patient"
DEMO_DATA_PASSWORD = "demo-data-password-2026"  # noqa: S105 - development only, refused without DEBUG
BATCH_SIZE = 5000

# Used only on a database without the symptom vocabulary, so the generator works on a bare
# database. Load fixtures/*.json first: loading the symptom fixture after these exist would
# clash on their unique names. (name, body site, section slug)
FALLBACK_SYMPTOMS = [
    ("Bone pain", BodySite.BONE, "symptoms-of-bone-metastases"),
    ("Headache", BodySite.BRAIN, "symptoms-of-brain-metastases"),
    ("Nausea", BodySite.LIVER, "symptoms-of-liver-metastases"),
    ("Shortness of breath", BodySite.LUNG, "symptoms-of-lung-metastases"),
    ("Fatigue", BodySite.GENERAL, "other-symptoms-of-metastatic-breast-cancer"),
]
OWN_WORDS = ["my hip aches", "tired all day", "feel sick after lunch", "can't sleep", "sore ribs"]
NOTES = ["", "", "", "Better after a rest.", "Took paracetamol.", "Worse in the evening."]
QUESTIONS = [
    "Should I change my pain relief?",
    "Is this tiredness from the treatment?",
    "When is my next scan?",
    "Can I travel next month?",
]


def demo_email(username: str) -> str:
    return f"{username}@example.org"


def patient_username(number: int) -> str:
    return f"{PATIENT_PREFIX}{number:04d}"


class Command(BaseCommand):
    help = (
        "Create a large demo dataset (bulk inserts) for benchmarks. Refuses unless DEBUG is "
        "on, and refuses when demo data exists unless --force, which replaces it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=1000, help="ordinary patients")
        parser.add_argument("--years", type=int, default=5, help="length of the diary")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--entries", type=int, default=300, help="average entries per ordinary patient"
        )
        parser.add_argument(
            "--heavy-per-day", type=int, default=3, help="entries a day for the heavy patient"
        )
        parser.add_argument(
            "--end",
            type=date.fromisoformat,
            default=None,
            help="last day of the diary, YYYY-MM-DD (default today; fix it for identical rows)",
        )
        parser.add_argument("--password", default=DEMO_DATA_PASSWORD)
        parser.add_argument(
            "--force", action="store_true", help="delete existing demo users and their data first"
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is only created when DJANGO_DEBUG is on.")
        if options["patients"] < 0 or options["years"] < 1 or options["entries"] < 0:
            raise CommandError("--patients and --entries must be >= 0 and --years >= 1.")
        started = time.monotonic()
        rng = random.Random(options["seed"])
        end = options["end"] or timezone.localdate()
        start = end - timedelta(days=365 * options["years"] - 1)
        User = get_user_model()
        usernames = [HEAVY_USERNAME] + [
            patient_username(n) for n in range(1, options["patients"] + 1)
        ]

        with transaction.atomic():
            existing = User.objects.filter(username__in=[HEAVY_USERNAME, patient_username(1)])
            if existing.exists():
                if not options["force"]:
                    raise CommandError(
                        "Demo data already exists (user 'heavy' or 'patient0001'). "
                        "Run again with --force to replace it."
                    )
                self._delete_demo_users(User)
            symptoms = self._symptoms()
            password_hash = make_password(options["password"])
            users = User.objects.bulk_create(
                [
                    User(
                        username=name,
                        email=demo_email(name),
                        password=password_hash,
                        first_name="Heavy" if name == HEAVY_USERNAME else "Patient",
                        last_name=name.title(),
                    )
                    for name in usernames
                ],
                batch_size=BATCH_SIZE,
            )
            if users and users[0].pk is None:  # backends that cannot return ids
                users = list(User.objects.filter(username__in=usernames).order_by("pk"))
            users.sort(key=lambda user: user.username != HEAVY_USERNAME)
            # Sign-in is by a confirmed email address (allauth), so each demo user has one.
            EmailAddress.objects.bulk_create(
                [
                    EmailAddress(user=user, email=user.email, verified=True, primary=True)
                    for user in users
                ],
                batch_size=BATCH_SIZE,
            )

            entry_count = self._insert_entries(rng, users, symptoms, start, end, options)
            # The raw inserts bypass DiaryEntry's writes, so the summary's day rollups are
            # computed here, in the same transaction (as manage.py rebuild_diary_days does).
            day_count = DiaryDay.objects.rebuild([user.pk for user in users])
            appointments, questions = self._appointments_and_questions(rng, users, start, end)
            Appointment.objects.bulk_create(appointments, batch_size=BATCH_SIZE)
            Question.objects.bulk_create(questions, batch_size=BATCH_SIZE)

        self.stdout.write(
            self.style.SUCCESS(
                f"Created {len(users)} patients, {entry_count} diary entries "
                f"({day_count} day rollups), "
                f"{len(appointments)} appointments and {len(questions)} questions "
                f"({start} to {end}) in {time.monotonic() - started:.1f} s.\n"
                f"Heavy patient: username {HEAVY_USERNAME!r}, password {options['password']!r} "
                f"(every demo patient shares this password)."
            )
        )

    def _delete_demo_users(self, User) -> None:
        demo = User.objects.filter(username=HEAVY_USERNAME) | User.objects.filter(
            username__regex=rf"^{PATIENT_PREFIX}[0-9]{{4}}$"
        )
        ids = list(demo.values_list("pk", flat=True))
        # Questions point at entries with SET_NULL, so a plain delete() of the entries would
        # load every one of them; with the questions gone first a raw DELETE is enough.
        Question.objects.filter(patient_id__in=ids).delete()
        DiaryEntry.objects.filter(patient_id__in=ids)._raw_delete(connection.alias)
        Appointment.objects.filter(patient_id__in=ids).delete()
        User.objects.filter(pk__in=ids).delete()

    def _symptoms(self) -> list[Symptom]:
        symptoms = list(Symptom.objects.order_by("pk"))
        if symptoms:
            return symptoms
        sections = {s.slug: s for s in Section.objects.published()}
        for name, site, section_slug in FALLBACK_SYMPTOMS:
            symptom = Symptom.objects.create(name=name, slug=slugify(name), body_site=site)
            if section_slug in sections:
                SymptomSection.objects.create(symptom=symptom, section=sections[section_slug])
            symptoms.append(symptom)
        return symptoms

    def _insert_entries(self, rng, users, symptoms, start: date, end: date, options) -> int:
        """Insert the diary with multi-row INSERTs in batches.

        bulk_create spends ~0.1 ms of Python per row building and compiling model
        instances (35 s for 300,000 entries); plain parameter tuples take a few seconds.
        Values go through each field's get_db_prep_save, so both backends store exactly
        what the ORM would.
        """
        meta = DiaryEntry._meta
        columns = [
            "patient",
            "symptom",
            "own_words",
            "severity",
            "occurred_at",
            "note",
            "submission_id",
            "created_at",
            "updated_at",
        ]
        fields = [meta.get_field(name) for name in columns]
        # Table and column names come from the model's metadata; values are parameters.
        target = "{} ({})".format(
            connection.ops.quote_name(meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in fields),
        )
        row_sql = "({})".format(", ".join(["%s"] * len(fields)))

        def insert(cursor, rows: list[tuple]) -> None:
            # The backend's own cursor: with DEBUG on, Django's debug wrapper would format
            # every statement's parameters for connection.queries.
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # Multi-row VALUES: one statement per 1,000 rows (9,000 parameters, under
            # SQLite's limit of 32,766).
            for at in range(0, len(rows), 1000):
                chunk = rows[at : at + 1000]
                values = ", ".join([row_sql] * len(chunk))
                statement = f"INSERT INTO {target} VALUES {values}"  # noqa: S608
                cursor.cursor.execute(statement, [value for row in chunk for value in row])

        prep_time = fields[4].get_db_prep_save
        prep_uuid = fields[6].get_db_prep_save
        now = prep_time(timezone.now(), connection)
        zone = timezone.get_current_timezone()
        symptom_ids = [s.pk for s in symptoms]
        day_count = (end - start).days + 1
        count = 0
        rows: list[tuple] = []
        with connection.cursor() as cursor:
            for index, user in enumerate(users):
                if index == 0:
                    days = [
                        start + timedelta(days=d)
                        for d in range(day_count)
                        for _ in range(options["heavy_per_day"])
                    ]
                else:
                    wanted = max(1, round(options["entries"] * rng.uniform(0.5, 1.5)))
                    days = sorted(
                        start + timedelta(days=rng.randrange(day_count)) for _ in range(wanted)
                    )
                for day in days:
                    local = datetime(
                        day.year,
                        day.month,
                        day.day,
                        rng.randrange(7, 23),
                        rng.randrange(60),
                        tzinfo=zone,
                    )
                    own = rng.random() < 0.15
                    rows.append(
                        (
                            user.pk,
                            None if own else rng.choice(symptom_ids),
                            rng.choice(OWN_WORDS) if own else "",
                            min(4, int(rng.triangular(0, 5, 1.5))),
                            prep_time(local.astimezone(UTC), connection),
                            rng.choice(NOTES),
                            prep_uuid(uuid.UUID(int=rng.getrandbits(128), version=4), connection),
                            now,
                            now,
                        )
                    )
                if len(rows) >= BATCH_SIZE or index == len(users) - 1:
                    insert(cursor, rows)
                    count += len(rows)
                    rows = []
        return count

    def _appointments_and_questions(self, rng: random.Random, users, start: date, end: date):
        appointments, questions = [], []
        span = (end - start).days
        for user in users:
            visits = 20 if user.username == HEAVY_USERNAME else rng.randrange(2, 6)
            for n in range(visits):
                # Spread over the period, plus one upcoming visit.
                day = start + timedelta(days=span * (n + 1) // visits + 14)
                appointments.append(
                    Appointment(
                        patient=user,
                        starts_at=datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC),
                        with_whom="Oncology clinic",
                        location="Outpatients, level 2",
                        purpose="Review",
                    )
                )
            for n in range(rng.randrange(1, 5)):
                questions.append(
                    Question(patient=user, text=QUESTIONS[n % len(QUESTIONS)], asked=n == 0)
                )
        return appointments, questions
