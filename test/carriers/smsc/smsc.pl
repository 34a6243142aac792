#!/usr/bin/perl
# A test SMSC on Debian's Net::SMPP (libnet-smpp-perl), the independent peer of Parley's SMPP adapter.
# It shares no code with the adapter: PDUs are encoded and decoded by Net::SMPP, texts by Perl's
# Encode (gsm0338, UTF-16BE), so an encoding mistake on either side shows in the tests.
#
# Output: one JSON object a line on stdout, for every PDU received (decoded fields) and every
# event (listening, bind, message reassembled, receipt sent). Input: one JSON command a line on stdin:
#   {"cmd":"deliver","from":"+1…","to":"+1…","text":"…","coding":0|8,"concat":"udh"|"sar"|null,"times":1}
#   ("times": the same deliver_sm PDUs sent that many times, as an SMSC resends one whose response it missed)
#   {"cmd":"set","throttle":0.2}   {"cmd":"unbind"}   {"cmd":"quit"}
# Destinations ending 9991 get an UNDELIV receipt, 9992 EXPIRED, 9993 REJECTD; 9994 is refused at
# submit (ESME_RINVDSTADR). Accepted submits and sent receipts are journalled in --state, so a
# killed and restarted SMSC keeps its message ids and still sends the receipts it owes.
use strict;
use warnings;
use Net::SMPP;
use IO::Select;
use JSON::PP;
use Encode qw(encode decode);
use Getopt::Long;
use Time::HiRes qw(time);
use Socket qw(IPPROTO_TCP TCP_NODELAY);

my %opt = (
  port => 0, 'system-id' => 'parley', password => 'secret', 'id-format' => 'decimal',
  'receipt-id-format' => '', 'receipt-tlv' => 0, 'receipt-delay-ms' => 50, throttle => 0,
  'receipt-before-resp' => 0, state => '', 'start-id' => 1000,
);
GetOptions(\%opt, 'port=i', 'system-id=s', 'password=s', 'id-format=s', 'receipt-id-format=s', 'receipt-tlv=i',
  'receipt-delay-ms=i', 'throttle=f', 'receipt-before-resp=i', 'state=s', 'start-id=i') or die "bad options\n";
$opt{'receipt-id-format'} ||= $opt{'id-format'};

my $json = JSON::PP->new->canonical->utf8;
$| = 1;
sub out { my %event = @_; $event{at} = int(time * 1000); print $json->encode(\%event), "\n" }

# The journal: "accepted <n> <src> <dst> <stat>" and "receipted <n>" lines.
my $next_id = $opt{'start-id'};
my %owed;    # n => {src, dst, stat}
if ($opt{state} && open my $in, '<', $opt{state}) {
  while (<$in>) {
    chomp;
    my ($kind, $n, @rest) = split / /;
    if ($kind eq 'accepted') { $owed{$n} = { src => $rest[0], dst => $rest[1], stat => $rest[2] }; $next_id = $n + 1 if $n >= $next_id }
    elsif ($kind eq 'receipted') { delete $owed{$n} }
  }
  close $in;
}
my $journal;
if ($opt{state}) { open $journal, '>>', $opt{state} or die "state: $!\n"; $journal->autoflush(1) }
sub journal { print $journal "@_\n" if $journal }

my $listener = Net::SMPP->new_listen('127.0.0.1', port => $opt{port}, smpp_version => 0x34)
  or die "listen: $!\n";
out(event => 'listening', port => $listener->sockport);

my $select = IO::Select->new($listener, \*STDIN);
my %conns;       # fileno => {smpp, mode, system_id}
my @timers;      # [due, code]
my %parts;       # concatenated submits being reassembled
my %receipt_seq; # "fileno/seq" => n
my $stdin_buffer = '';

sub format_id { my ($n, $format) = @_; $format eq 'hex' ? sprintf('%08X', $n) : "$n" }
sub later { my ($ms, $code) = @_; push @timers, [time + $ms / 1000, $code] }

sub receivers { grep { $_->{mode} eq 'receiver' || $_->{mode} eq 'transceiver' } values %conns }

sub text_of {
  my ($bytes, $coding) = @_;
  return decode('UTF-16BE', $bytes) if $coding == 8;
  return decode('gsm0338', $bytes) if $coding == 0;
  return decode('latin1', $bytes);
}

sub bytes_of { my ($text, $coding) = @_; $coding == 8 ? encode('UTF-16BE', $text) : encode('gsm0338', $text) }

my %stat_state = (DELIVRD => 2, EXPIRED => 3, UNDELIV => 5, REJECTD => 8);

sub send_receipt {
  my ($n) = @_;
  my $owed = $owed{$n} or return;
  my ($conn) = receivers();
  return later(200, sub { send_receipt($n) }) unless $conn;
  my $id = format_id($n, $opt{'receipt-id-format'});
  my $err = $owed->{stat} eq 'DELIVRD' ? '000' : '001';
  my $date = sprintf('%02d%02d%02d%02d%02d', (gmtime)[5] % 100, (gmtime)[4] + 1, (gmtime)[3], (gmtime)[2], (gmtime)[1]);
  my $text = "id:$id sub:001 dlvrd:" . ($owed->{stat} eq 'DELIVRD' ? '001' : '000')
    . " submit date:$date done date:$date stat:$owed->{stat} err:$err text:";
  my @tlvs = $opt{'receipt-tlv'}
    ? (receipted_message_id => "$id\0", message_state => pack('C', $stat_state{ $owed->{stat} }))
    : ();
  my $seq = $conn->{smpp}->deliver_sm(
    source_addr_ton => 1, source_addr_npi => 1, source_addr => $owed->{dst},
    dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => $owed->{src},
    esm_class => 0x04, data_coding => 0, short_message => $text, @tlvs, async => 1);
  $receipt_seq{ fileno($conn->{smpp}) . "/$seq" } = $n;
  out(event => 'receipt', id => $id, stat => $owed->{stat}, text => $text);
}

sub concat_of {
  my ($pdu) = @_;
  if ($pdu->{esm_class} & 0x40) {
    my $udhl = ord substr($pdu->{short_message}, 0, 1);
    my $udh = substr($pdu->{short_message}, 1, $udhl);
    my $body = substr($pdu->{short_message}, 1 + $udhl);
    my ($iei, $len) = unpack 'CC', $udh;
    my ($ref, $total, $seq) = $iei == 0 ? unpack('CCC', substr($udh, 2, 3)) : unpack('nCC', substr($udh, 2, 4));
    return ({ kind => 'udh', iei => $iei, ref => $ref, total => $total, seq => $seq }, $body);
  }
  if (defined $pdu->{sar_msg_ref_num}) {
    return ({ kind => 'sar', ref => unpack('n', $pdu->{sar_msg_ref_num}),
      total => ord $pdu->{sar_total_segments}, seq => ord $pdu->{sar_segment_seqnum} }, $pdu->{short_message});
  }
  return (undef, $pdu->{short_message});
}

sub on_submit {
  my ($conn, $pdu) = @_;
  my $smpp = $conn->{smpp};
  my ($concat, $body) = concat_of($pdu);
  my %logged = (event => 'submit_sm', seq => $pdu->{seq}, source_addr => $pdu->{source_addr},
    source_addr_ton => $pdu->{source_addr_ton}, destination_addr => $pdu->{destination_addr},
    esm_class => $pdu->{esm_class}, data_coding => $pdu->{data_coding},
    registered_delivery => $pdu->{registered_delivery}, concat => $concat,
    text => text_of($body, $pdu->{data_coding}), bytes => length $body);
  if ($conn->{mode} eq 'receiver' || !$conn->{mode}) {
    $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => '', status => 0x04);
    return out(%logged, status => 'ESME_RINVBNDSTS');
  }
  if (rand() < $opt{throttle}) {
    $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => '', status => 0x58);
    return out(%logged, status => 'ESME_RTHROTTLED');
  }
  if ($pdu->{destination_addr} =~ /9994$/) {
    $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => '', status => 0x0B);
    return out(%logged, status => 'ESME_RINVDSTADR');
  }
  my $n = $next_id++;
  my $stat = $pdu->{destination_addr} =~ /9991$/ ? 'UNDELIV' : $pdu->{destination_addr} =~ /9992$/ ? 'EXPIRED'
    : $pdu->{destination_addr} =~ /9993$/ ? 'REJECTD' : 'DELIVRD';
  my $id = format_id($n, $opt{'id-format'});
  if ($pdu->{registered_delivery} & 0x03) {
    $owed{$n} = { src => $pdu->{source_addr}, dst => $pdu->{destination_addr}, stat => $stat };
    journal('accepted', $n, $pdu->{source_addr}, $pdu->{destination_addr}, $stat);
  }
  send_receipt($n) if $opt{'receipt-before-resp'};
  $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => $id);
  out(%logged, status => 'ESME_ROK', message_id => $id);
  later($opt{'receipt-delay-ms'}, sub { send_receipt($n) }) unless $opt{'receipt-before-resp'};
  my $key = $concat ? "$pdu->{source_addr}|$pdu->{destination_addr}|$concat->{kind}|$concat->{ref}" : undef;
  return out(event => 'message', text => $logged{text}, parts => 1, ids => [$id]) unless $key;
  my $entry = $parts{$key} ||= { total => $concat->{total}, bodies => {}, ids => {} };
  $entry->{bodies}{ $concat->{seq} } = $body;
  $entry->{ids}{ $concat->{seq} } = $id;
  return if keys %{ $entry->{bodies} } < $entry->{total};
  delete $parts{$key};
  my @order = sort { $a <=> $b } keys %{ $entry->{bodies} };
  out(event => 'message', text => text_of(join('', map { $entry->{bodies}{$_} } @order), $pdu->{data_coding}),
    parts => scalar @order, concat => $concat->{kind}, ids => [map { $entry->{ids}{$_} } @order]);
}

sub on_bind {
  my ($conn, $pdu, $mode) = @_;
  my $ok_id = $pdu->{system_id} eq $opt{'system-id'};
  my $ok_pw = $pdu->{password} eq $opt{password};
  my $status = !$ok_id ? 0x0F : !$ok_pw ? 0x0E : 0;
  my $method = "bind_${mode}_resp";
  $conn->{smpp}->$method(seq => $pdu->{seq}, system_id => 'perlsmsc', status => $status);
  $conn->{mode} = $mode unless $status;
  out(event => 'bind', mode => $mode, system_id => $pdu->{system_id}, system_type => $pdu->{system_type},
    interface_version => $pdu->{interface_version}, status => $status ? ($ok_id ? 'ESME_RINVPASWD' : 'ESME_RINVSYSID') : 'ESME_ROK');
  for my $n (sort keys %owed) { later($opt{'receipt-delay-ms'}, sub { send_receipt($n) }) if !$status && $mode ne 'transmitter' }
}

sub drop {
  my ($conn, $why) = @_;
  $select->remove($conn->{smpp});
  delete $conns{ fileno $conn->{smpp} };
  close $conn->{smpp};
  out(event => 'closed', mode => $conn->{mode} // '', why => $why);
}

sub on_pdu {
  my ($conn, $pdu) = @_;
  my $cmd = $pdu->{cmd};
  my $smpp = $conn->{smpp};
  if ($cmd == 0x09) { on_bind($conn, $pdu, 'transceiver') }
  elsif ($cmd == 0x02) { on_bind($conn, $pdu, 'transmitter') }
  elsif ($cmd == 0x01) { on_bind($conn, $pdu, 'receiver') }
  elsif ($cmd == 0x15) { $smpp->enquire_link_resp(seq => $pdu->{seq}); out(event => 'enquire_link') }
  elsif ($cmd == 0x04) { on_submit($conn, $pdu) }
  elsif ($cmd == 0x80000005) {
    my $n = delete $receipt_seq{ fileno($smpp) . "/$pdu->{seq}" };
    out(event => 'deliver_sm_resp', status => $pdu->{status}, receipt => defined $n ? 1 : 0);
    if (defined $n && !$pdu->{status}) { delete $owed{$n}; journal('receipted', $n) }
  }
  elsif ($cmd == 0x06) { $smpp->unbind_resp(seq => $pdu->{seq}); out(event => 'unbind'); drop($conn, 'unbind') }
  elsif ($cmd == 0x80000006) { drop($conn, 'unbind_resp') }
  elsif ($cmd == 0x80000015) { }
  else { $smpp->generic_nack(seq => $pdu->{seq}, status => 0x03); out(event => 'unknown', cmd => $cmd) }
}

my $deliver_ref = 0;
sub on_command {
  my ($command) = @_;
  if ($command->{cmd} eq 'set') { $opt{$_} = $command->{$_} for grep { $_ ne 'cmd' } keys %$command; return out(event => 'set') }
  if ($command->{cmd} eq 'quit') { out(event => 'quit'); exit 0 }
  if ($command->{cmd} eq 'unbind') { $_->{smpp}->unbind(async => 1) for values %conns; return out(event => 'unbinding') }
  return unless $command->{cmd} eq 'deliver';
  my ($conn) = receivers() or return out(event => 'error', message => 'no receiver bound');
  my $coding = $command->{coding} // 0;
  my $bytes = bytes_of($command->{text}, $coding);
  my @chunks = $command->{concat} ? unpack('(a' . ($coding == 8 ? 134 : 153) . ')*', $bytes) : ($bytes);
  @chunks = ('') unless @chunks;
  my $ref = ++$deliver_ref % 256;
  my ($src, $dst) = map { (my $a = $_) =~ s/^\+//; $a } $command->{from}, $command->{to};
  for my $copy (1 .. ($command->{times} // 1)) { for my $i (0 .. $#chunks) {
    my @concat = !$command->{concat} ? ()
      : $command->{concat} eq 'sar'
      ? (sar_msg_ref_num => pack('n', $ref), sar_total_segments => pack('C', scalar @chunks), sar_segment_seqnum => pack('C', $i + 1))
      : ();
    my $body = $command->{concat} && $command->{concat} eq 'udh' ? pack('CCCCCC', 5, 0, 3, $ref, scalar @chunks, $i + 1) . $chunks[$i] : $chunks[$i];
    $conn->{smpp}->deliver_sm(source_addr_ton => 1, source_addr_npi => 1, source_addr => $src,
      dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => $dst,
      esm_class => ($command->{concat} && $command->{concat} eq 'udh') ? 0x40 : 0, data_coding => $coding,
      short_message => $body, @concat, async => 1);
  } }
  out(event => 'delivered', parts => scalar @chunks, times => $command->{times} // 1);
}

while (1) {
  @timers = sort { $a->[0] <=> $b->[0] } @timers;
  my $wait = @timers ? $timers[0][0] - time : 0.5;
  for my $fh ($select->can_read($wait < 0 ? 0 : $wait)) {
    if ($fh == $listener) {
      my $smpp = $listener->accept or next;
      setsockopt($smpp, IPPROTO_TCP, TCP_NODELAY, 1);
      $conns{ fileno $smpp } = { smpp => $smpp, mode => '' };
      $select->add($smpp);
      out(event => 'connected');
    } elsif ($fh == \*STDIN) {
      my $read = sysread(STDIN, $stdin_buffer, 65536, length $stdin_buffer);
      exit 0 unless $read;
      while ($stdin_buffer =~ s/^([^\n]*)\n//) { on_command($json->decode($1)) if length $1 }
    } elsif (my $conn = $conns{ fileno $fh }) {
      my $pdu = $conn->{smpp}->read_pdu;
      $pdu ? on_pdu($conn, $pdu) : drop($conn, 'eof');
    }
  }
  while (@timers && $timers[0][0] <= time) { (shift @timers)->[1]->() }
}
