"""Load stage: the forms folder and the inputs.

* :mod:`.fields` — the field registry (``fields.toml``): every input field's type, bounds, label;
* :mod:`.forms` — :class:`FormLibrary`: each form's manifest and template, and the shared data files;
* :mod:`.model` — an input JSON file read within limits and cleaned: :class:`Record`, and
  :class:`Inputs`, the records one document is made from, which every later stage takes;
* :mod:`.roster` — an Excel roster read into profiles.
"""

from .fields import Registry
from .forms import FormLibrary, FormSpec
from .model import Inputs, Record

__all__ = ["FormLibrary", "FormSpec", "Inputs", "Record", "Registry"]
