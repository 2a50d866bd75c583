"""`pani-bench` as a user runs it from a shell whose output goes to a file or a pipe (a CI log, `| tee`): the output is
what the runner means to print, with no stray characters from the progress bars, and the files record what was run."""
import csv, json, subprocess, sys
from pathlib import Path

def test_piped_output_is_clean_and_records_the_labels(tmp_path):
    out = tmp_path/'out'
    res = subprocess.run([sys.executable, '-c', 'from pani_nb.bench.cli import main; raise SystemExit(main())', '--methods', 'erm', '--seeds', '0',
                          '--epochs', '1', '--jobs', '1', '--out', str(out)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert '█' not in res.stdout and '█' not in res.stderr, res.stdout[:300]      # fastprogress's test print of its bar character
    first = res.stdout.splitlines()[0]                                            # not a terminal: one line per run, no bars
    assert first.startswith('final erm seed 0: test error') and '\r' not in res.stdout, res.stdout[:300]
    (run,) = json.loads((out/'results.json').read_text())['runs']
    assert run['labels'] == 100 and run['config']['labels'] is None                # digits' default, recorded as used
    (row,) = csv.DictReader(open(out/'results.csv'))
    assert row['labels'] == '100'
    assert '| difference |' not in res.stdout                                      # one method: no paired differences
