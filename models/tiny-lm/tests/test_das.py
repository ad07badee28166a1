"""Unit tests for the DAS recipe (models/tiny-lm/das.py): the pairs, the patch, the split of a
direction into the part W_out reads and the part it ignores, and the site-choosing rule.

    /usr/bin/python3 -m unittest discover -s models/tiny-lm/tests -t .     # from the repo root
"""

from __future__ import annotations

import re
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # repository root
sys.path.insert(0, str(HERE.parent))  # models/tiny-lm

import torch  # noqa: E402

import das  # noqa: E402
import data  # noqa: E402
from models.lab.tokenizer import Tokenizer  # noqa: E402


def template_regex(template: str) -> "re.Pattern[str]":
    """The prompt a template gives (cut before the answer) as a regex, any word in each slot."""
    cut = template[: template.rindex(" to {IO}") + len(" to")]
    pattern = re.escape(cut)
    for slot in ("A", "B", "S", "place", "obj"):
        pattern = pattern.replace(re.escape("{" + slot + "}"), r"\w+")
    return re.compile(pattern)


class Pairs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tok = Tokenizer.load(HERE.parent / "tokenizer.json")

    def test_base_and_source_differ_only_in_the_second_subject(self):
        for held_out in (False, True):
            for p in das.make_pairs(self.tok, 30, seed=1, held_out=held_out):
                diff = [i for i, (a, b) in enumerate(zip(p["baseIds"], p["sourceIds"])) if a != b]
                self.assertEqual(diff, [p["positions"]["S2"]])
                self.assertEqual(p["baseIds"][p["positions"]["S2"]], p["s"])
                self.assertEqual(p["sourceIds"][p["positions"]["S2"]], p["io"])
                self.assertEqual(p["positions"]["END"], len(p["baseIds"]) - 1)
                self.assertTrue(p["base"].endswith(" to"))

    def test_training_and_evaluation_pairs_use_disjoint_templates_and_name_pairs(self):
        vocab = self.tok.vocab
        for held_out, templates in ((False, data.IOI_TRAIN_TEMPLATES), (True, data.IOI_EVAL_TEMPLATES)):
            for p in das.make_pairs(self.tok, 30, seed=2, held_out=held_out):
                names = (vocab[p["io"]], vocab[p["s"]])
                self.assertEqual(data.ioi_pair_is_held_out(*names), held_out)
                self.assertTrue(any(template_regex(t).fullmatch(p["base"]) for t in templates))

    def test_pairs_are_the_same_for_the_same_seed(self):
        a = das.make_pairs(self.tok, 10, seed=3, held_out=True)
        b = das.make_pairs(self.tok, 10, seed=3, held_out=True)
        self.assertEqual(a, b)


class Subspaces(unittest.TestCase):
    def setUp(self):
        gen = torch.Generator().manual_seed(0)
        self.W_out = torch.randn(12, 4, generator=gen)  # [d_mlp, d_model]
        self.v = torch.randn(12, generator=gen)

    def test_the_split_adds_up_and_the_disconnected_part_is_never_read(self):
        dormant, disconnected = das.decompose(self.v, self.W_out)
        self.assertTrue(torch.allclose(dormant + disconnected, self.v, atol=1e-6))
        self.assertLess((disconnected @ self.W_out).norm().item(), 1e-5)
        self.assertAlmostEqual((dormant @ disconnected).item(), 0.0, places=5)
        # The dormant part carries all of what W_out reads of v.
        self.assertTrue(torch.allclose(dormant @ self.W_out, self.v @ self.W_out, atol=1e-5))

    def test_patching_along_v_changes_only_the_coordinate_along_v(self):
        gen = torch.Generator().manual_seed(1)
        base, source = torch.randn(3, 12, generator=gen), torch.randn(3, 12, generator=gen)
        patched = das.along(self.v, base, source)
        u = self.v / self.v.norm()
        self.assertTrue(torch.allclose(patched @ u, source @ u, atol=1e-5))
        other = torch.randn(12, generator=gen)
        other = other - (other @ u) * u
        self.assertTrue(torch.allclose(patched @ other, base @ other, atol=1e-5))


def site(layer, position, **ld):
    return {"layer": layer, "position": position, "logitDiff": {"base": 10.0, "source": -10.0, **ld}}


class ChoosingSites(unittest.TestCase):
    def test_illusory_is_the_quiet_site_where_v_moves_most_and_faithful_the_most_read_one(self):
        sites = [
            site(0, "S2", full=10.5, direction=9.5, dormant=9.9),  # quiet, v moves 0.5
            site(1, "S2", full=9.9, direction=8.0, dormant=9.8),  # quiet, v moves 2.0
            site(0, "END", full=-9.0, direction=5.0, dormant=5.5),  # loud, read part 0.9 of v
            site(1, "END", full=2.0, direction=6.0, dormant=9.0),  # loud, read part 0.25 of v
        ]
        chosen = das.choose_sites(sites)
        self.assertIs(chosen["illusory"], sites[1])
        self.assertIs(chosen["faithful"], sites[2])


if __name__ == "__main__":
    unittest.main()
