# Buyers' phone numbers and street addresses, encrypted at rest, with a blind index of the phone.
#
# The old `phone_masked` column (138****0000, as the platform sent it) goes: the mask is now made
# from the encrypted number (Buyer.phone_masked), and a stored mask would keep seven of the eleven
# digits readable in every dump. The full number of an existing buyer cannot be made from its
# mask, so an existing buyer shows no phone until the platform sends the number again (intake's
# buyer_phone), rather than a mask that no reveal could ever match.

import accounts.crypto
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0006_merchant_second_factor'),
    ]

    operations = [
        migrations.AddField(
            model_name='buyer',
            name='phone',
            field=accounts.crypto.EncryptedTextField(blank=True, default='', verbose_name='phone'),
        ),
        migrations.AddField(
            model_name='buyer',
            name='phone_index',
            field=models.CharField(blank=True, db_index=True, default='', max_length=64, verbose_name='phone lookup key'),
        ),
        migrations.AddField(
            model_name='buyer',
            name='address',
            field=accounts.crypto.EncryptedTextField(blank=True, default='', verbose_name='street address'),
        ),
        migrations.RemoveField(
            model_name='buyer',
            name='phone_masked',
        ),
    ]
