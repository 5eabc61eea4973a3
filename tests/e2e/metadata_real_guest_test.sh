#!/usr/bin/env bash
# Metadata labels on a real guest (issue 14): libvirt_exporter with
# --domain_metadata_labels and --domain_metadata against qemu:///system and
# one idle testbed guest. Before the guest has metadata it has no info series;
# after `virsh metadata --live --config` sets OpenStack Nova's element and a
# custom namespace's, libvirt_domain_openstack_info and
# libvirt_domain_metadata_info carry the right labels; a changed value is
# followed, and a removed element takes its series away. The exporter reads
# definitions every --domain_config_refresh_seconds=1 (60 by default), so
# each change is waited for a few seconds, not a minute. ~1 min.
export VMB_PREFIX=vmbm-
source "$(dirname "$0")/e2e_lib.sh"
testbed="$E2E_RUNFILES/tests/testbed/testbed.sh"
connect="${VMB_CONNECT:-qemu:///system}"
readonly OPS_NS=https://example.com/xmlns/ops/1
readonly NOVA_NS=http://openstack.org/xmlns/libvirt/nova/1.1

e2e_before_cleanup() { stop_exporter; }

note "up"
"$testbed" up "$E2E_DIR/metadata_guest.guests"
guest=$("$testbed" names | sed -n 1p)
uuid=$(virsh -c "$connect" domuuid "$guest" | sed -n 1p)

start_exporter --connect="$connect" --interval=1 \
  --domain_metadata_labels --domain_config_refresh_seconds=1 \
  --domain_metadata="team={$OPS_NS}owner/@team,tier={$OPS_NS}owner/tier"
scrape() { curl -fsS --max-time 10 "$url" >"$OUT/scrape.txt"; }
# series METRIC: the lines of METRIC for this test's guest.
series() { grep "^$1{domain=\"$guest\"" "$OUT/scrape.txt" || true; }
seen() { scrape && [[ -n $(series libvirt_domain_vcpu_time_seconds_total) ]]; }
wait_for 30 "$guest in /metrics" seen
# Two refresh periods: its definition has been read, and it has no metadata.
sleep 2.5
scrape
[[ -z $(series libvirt_domain_openstack_info) ]] ||
  fail "openstack_info for $guest before it had Nova metadata: $(series libvirt_domain_openstack_info)"
[[ -z $(series libvirt_domain_metadata_info) ]] ||
  fail "metadata_info for $guest before it had metadata: $(series libvirt_domain_metadata_info)"
note "no info series while $guest has no metadata"

set_metadata() {  # NAMESPACE KEY XML
  virsh -c "$connect" metadata "$guest" "$1" --key "$2" --set "$3" \
    --live --config >/dev/null || fail "virsh metadata $2 failed"
}
set_metadata "$NOVA_NS" nova "<instance><name>web one</name><flavor name='m1.small'/><owner><user uuid='u-42'>alice</user><project uuid='p-7'>payments</project></owner></instance>"
set_metadata "$OPS_NS" ops "<owner team='infra'><tier>gold</tier></owner>"
virsh -c "$connect" dumpxml "$guest" >"$OUT/guest.xml"

want_nova="libvirt_domain_openstack_info{domain=\"$guest\",uuid=\"$uuid\",instance_name=\"web one\",flavor=\"m1.small\",project_name=\"payments\",project_uuid=\"p-7\",user_name=\"alice\",user_uuid=\"u-42\"} 1"
want_ops="libvirt_domain_metadata_info{domain=\"$guest\",uuid=\"$uuid\",team=\"infra\",tier=\"gold\"} 1"
has_line() { scrape && grep -qxF "$1" "$OUT/scrape.txt"; }
wait_for 15 "$want_nova" has_line "$want_nova"
wait_for 15 "$want_ops" has_line "$want_ops"
note "both info series with the guest's labels"
# Only this guest carries the custom namespace (others on the host may run).
n=$(grep -c '^libvirt_domain_metadata_info{' "$OUT/scrape.txt" || true)
((n == 1)) || fail "$n metadata_info series, want 1 (only $guest has $OPS_NS)"
if ! promtool check metrics <"$OUT/scrape.txt" >"$OUT/promtool.txt" 2>&1 ||
  [[ -s $OUT/promtool.txt ]]; then
  cat "$OUT/promtool.txt" >&2
  fail "promtool check metrics complained"
fi

set_metadata "$OPS_NS" ops "<owner team='storage'/>"
want_ops="libvirt_domain_metadata_info{domain=\"$guest\",uuid=\"$uuid\",team=\"storage\"} 1"
wait_for 15 "the changed team: $want_ops" has_line "$want_ops"
note "a changed value is followed; the missing tier label is left out"

virsh -c "$connect" metadata "$guest" "$OPS_NS" --remove --live --config >/dev/null ||
  fail "virsh metadata --remove failed"
gone() { scrape && [[ -z $(series libvirt_domain_metadata_info) ]]; }
wait_for 15 "metadata_info of $guest to go with its metadata" gone
has_line "$want_nova" || fail "openstack_info went away with the other namespace"
note "removed metadata takes its series away; Nova's stays"
kill -0 "$exporter_pid" || fail "the exporter died"
note "PASS"
