"""The license-expiry task moved from clee.jobs.tasks to clee.notices.tasks (issue 15: it sends
notices, and the scheduler sits beside the notices app, not above it). A schedule on file that
names the old path is pointed at the new one; an operator's other changes to it are kept."""

from django.db import migrations

OLD_PATH = "clee.jobs.tasks.expire_licenses"
NEW_PATH = "clee.notices.tasks.expire_licenses"


def _repoint(apps, old, new):
    Schedule = apps.get_model("jobs", "Schedule")
    Schedule.objects.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor):
    _repoint(apps, OLD_PATH, NEW_PATH)


def backwards(apps, schema_editor):
    _repoint(apps, NEW_PATH, OLD_PATH)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0003_job_lease"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
