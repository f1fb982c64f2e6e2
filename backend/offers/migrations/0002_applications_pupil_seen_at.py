from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="pupil_seen_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="vue par l'élève le"),
        ),
    ]
