#!/usr/bin/env python3
"""A minimal sparsefleet device agent in Python, written from proto/README.md (the device protocol).

It enrolls with an enrollment token, reconnects with the credential it got, says hello, sends heartbeats, takes
one job assignment, accepts it, sends a few ProgressReports and a JobResult, and exits. It does NOT train: every
figure it reports is synthetic and labelled so (JobResult.backend = "python-protocol-agent", data_source
"synthetic", synthetic_data true).

Needs only Debian packages: python3-socketio (with python3-websocket), python3-protobuf and protobuf-compiler.
The message classes are generated from proto/ with `protoc --python_out` into a temporary directory at start.

Exit codes: 0 done, 2 setup (missing package, protoc failed, bad arguments), 3 the coordinator refused the
handshake (connect_error), 4 the coordinator answered a request with a ProtocolError, 5 a timeout, 6 the
coordinator could not be reached or dropped the connection, 7 the job was cancelled by the coordinator.
"""

import argparse
import importlib
import json
import os
import platform
import queue
import subprocess
import sys
import tempfile
import threading
import time

AGENT_NAME = 'python-protocol-agent'
AGENT_VERSION = '0.1.0'
SENDER_VERSION = f'{AGENT_NAME}/{AGENT_VERSION}'
DEVICE_CHANNEL_EVENT = 'sf'
SCHEMA_VERSION = 1
PROTO_PACKAGE = 'sparsefleet.v1'
DEFAULT_PROTO_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'proto'))

EXIT_SETUP = 2
EXIT_REFUSED = 3
EXIT_PROTOCOL_ERROR = 4
EXIT_TIMEOUT = 5
EXIT_UNREACHABLE = 6
EXIT_CANCELLED = 7


class AgentError(Exception):
    """Ends the run with a message on stderr and an exit code."""

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code


class ProtocolFailure(AgentError):
    """The coordinator answered with a sparsefleet.v1.ProtocolError (or refused the handshake with its code)."""

    def __init__(self, code, code_name, message, exit_code=EXIT_PROTOCOL_ERROR, context=''):
        super().__init__(f'{context}{code_name} ({code}): {message}', exit_code)
        self.code = code
        self.code_name = code_name
        self.detail = message


def log(text):
    print(f'[{AGENT_NAME}] {text}', file=sys.stderr, flush=True)


# --- dependencies and generated messages ----------------------------------------------------------------------

def import_dependencies():
    missing = []
    modules = {}
    for name, package in (('socketio', 'python3-socketio'), ('engineio', 'python3-socketio'),
                          ('websocket', 'python3-websocket'), ('google.protobuf', 'python3-protobuf')):
        try:
            modules[name] = importlib.import_module(name)
        except ImportError:
            missing.append(package)
    if missing:
        raise AgentError(f'missing Python packages: {", ".join(sorted(set(missing)))} '
                         f'(Debian: apt-get install {" ".join(sorted(set(missing)))})', EXIT_SETUP)
    return modules['socketio'], modules['engineio']


def generate_messages(proto_dir, protoc, out_dir):
    """Runs protoc --python_out for every .proto under proto_dir and imports the sparsefleet.v1 modules."""
    files = sorted(os.path.relpath(os.path.join(root, name), proto_dir)
                   for root, _, names in os.walk(proto_dir) for name in names if name.endswith('.proto'))
    if not files:
        raise AgentError(f'no .proto files under {proto_dir}', EXIT_SETUP)
    try:
        done = subprocess.run([protoc, f'--proto_path={proto_dir}', f'--python_out={out_dir}', *files],
                              capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise AgentError(f'protoc not found ("{protoc}"; Debian: apt-get install protobuf-compiler)', EXIT_SETUP) from None
    if done.returncode != 0:
        raise AgentError(f'protoc failed: {done.stderr.strip()}', EXIT_SETUP)
    sys.path.insert(0, out_dir)
    try:
        # sparsefleet/v1/job.proto → module sparsefleet.v1.job_pb2, keyed "job"
        return {os.path.basename(path)[:-len('.proto')]:
                importlib.import_module(path[:-len('.proto')].replace(os.sep, '.') + '_pb2') for path in files}
    finally:
        sys.path.remove(out_dir)  # the modules stay loaded; the directory is removed after this


class MessageRegistry:
    """Every message of the contract by its fully qualified name, e.g. "sparsefleet.v1.Heartbeat"."""

    def __init__(self, modules):
        self.modules = modules
        self.classes = {}
        for module in modules.values():
            for descriptor in module.DESCRIPTOR.message_types_by_name.values():
                self.classes[descriptor.full_name] = getattr(module, descriptor.name)
        self.envelope = self.classes[f'{PROTO_PACKAGE}.Envelope']
        self.error_code = modules['envelope'].ErrorCode

    def __getattr__(self, name):
        try:
            return self.classes[f'{PROTO_PACKAGE}.{name}']
        except KeyError:
            raise AttributeError(name) from None

    def code_name(self, code):
        try:
            return self.error_code.Name(code).replace('ERROR_CODE_', '', 1)
        except ValueError:
            return 'UNSPECIFIED'


# --- envelope framing -------------------------------------------------------------------------------------------

class EnvelopeCodec:
    def __init__(self, messages):
        self.messages = messages

    def encode(self, message, request_id=''):
        return self.messages.envelope(
            type=message.DESCRIPTOR.full_name,
            schema_version=SCHEMA_VERSION,
            sender_version=SENDER_VERSION,
            payload=message.SerializeToString(),
            request_id=request_id,
        ).SerializeToString()

    def decode(self, frame):
        """Returns (type, message, request_id); raises ProtocolFailure with the code an answer would carry."""
        if not isinstance(frame, (bytes, bytearray)):
            raise self.failure('MALFORMED_FRAME', f'expected a binary frame, got {type(frame).__name__}')
        envelope = self.messages.envelope()
        try:
            envelope.ParseFromString(bytes(frame))
        except Exception as error:  # google.protobuf.message.DecodeError
            raise self.failure('MALFORMED_FRAME', f'not a sparsefleet envelope: {error}') from None
        if not envelope.type:
            raise self.failure('MALFORMED_FRAME', 'envelope has no message type')
        if envelope.schema_version != SCHEMA_VERSION:
            raise self.failure('UNSUPPORTED_SCHEMA_VERSION', f'schema version {envelope.schema_version} is not '
                               f'supported (expected {SCHEMA_VERSION})')
        cls = self.messages.classes.get(envelope.type)
        if cls is None:
            raise self.failure('UNKNOWN_MESSAGE_TYPE', f'unknown message type "{envelope.type}"')
        message = cls()
        try:
            message.ParseFromString(envelope.payload)
        except Exception as error:
            raise self.failure('INVALID_PAYLOAD', f'payload of {envelope.type} does not decode: {error}') from None
        return envelope.type, message, envelope.request_id

    def failure(self, code_name, text):
        return ProtocolFailure(self.messages.error_code.Value(f'ERROR_CODE_{code_name}'), code_name, text)

    def protocol_error(self, failure, offending_type='', request_id=''):
        return self.messages.ProtocolError(code=failure.code, message=failure.detail,
                                           offending_type=offending_type, request_id=request_id)


# --- the socket.io link -----------------------------------------------------------------------------------------

def ordered_client_class(socketio, engineio):
    """A socketio.Client that keeps binary frames whole.

    A binary socket.io packet is two Engine.IO messages (header, then attachment). python-engineio 4.x hands each
    received message to a new thread, so a header and its attachment may be handled out of order; and
    python-socketio's emit is not thread-safe, so an ack sent from a handler may interleave with an emit. Handling
    received messages in the read loop (in order) and sending each packet under a lock keeps both intact. Handlers
    must therefore return quickly and never wait for a reply themselves.
    """

    class OrderedEngineIOClient(engineio.Client):
        def _trigger_event(self, event, *args, **kwargs):
            if event == 'message':
                kwargs['run_async'] = False
            return super()._trigger_event(event, *args, **kwargs)

    class OrderedClient(socketio.Client):
        def __init__(self, *args, **kwargs):
            self._send_lock = threading.Lock()
            super().__init__(*args, **kwargs)

        def _engineio_client_class(self):
            return OrderedEngineIOClient

        def _send_packet(self, pkt):
            with self._send_lock:
                super()._send_packet(pkt)

    for cls, name in ((engineio.Client, '_trigger_event'), (socketio.Client, '_engineio_client_class'),
                      (socketio.Client, '_send_packet')):
        if not hasattr(cls, name):
            log(f'warning: this python-socketio has no {cls.__name__}.{name}; using the stock client')
            return socketio.Client
    return OrderedClient


class DeviceLink:
    """One socket.io connection to the coordinator: requests are acked envelopes, pushes go to `on_push`."""

    def __init__(self, deps, codec, options, auth, on_push=None):
        socketio, engineio = deps
        self.socketio = socketio
        self.codec = codec
        self.options = options
        self.auth = auth
        self.on_push = on_push
        self.refusal = None
        self.handshake_done = threading.Event()
        self.disconnected = threading.Event()
        self.request_counter = 0
        self.sio = ordered_client_class(socketio, engineio)(reconnection=False)
        self.sio.on('connect', self.handshake_done.set)
        self.sio.on('connect_error', self._on_connect_error)
        self.sio.on('disconnect', self.disconnected.set)
        self.sio.on(DEVICE_CHANNEL_EVENT, self._on_frame)

    def __enter__(self):
        try:
            # wait=False: python-socketio's own wait ignores a refusal and sits out its whole timeout.
            self.sio.connect(self.options.server, auth=self.auth, transports=['websocket'],
                             socketio_path=self.options.socketio_path, wait=False)
        except self.socketio.exceptions.ConnectionError as error:
            raise AgentError(f'could not connect to {self.options.server}: {error}', EXIT_UNREACHABLE) from None
        answered = self.handshake_done.wait(self.options.connect_timeout)
        if self.refusal is not None or not answered:
            self.sio.disconnect()
            raise self.refusal or AgentError(f'no answer to the handshake within {self.options.connect_timeout} s',
                                             EXIT_TIMEOUT)
        return self

    def __exit__(self, *exc):
        self.sio.disconnect()
        return False

    def _on_connect_error(self, data=None):
        # A refused CONNECT carries socket.io's { message, data }, where `data` is the coordinator's
        # HandshakeRefusal { code, codeName, message }. A transport failure arrives here as plain text instead.
        if not isinstance(data, dict):
            return
        refusal = data.get('data')
        if isinstance(refusal, dict) and isinstance(refusal.get('code'), int):
            code_name = refusal.get('codeName') or self.codec.messages.code_name(refusal['code'])
            self.refusal = ProtocolFailure(refusal['code'], code_name, refusal.get('message', ''), EXIT_REFUSED,
                                           'the coordinator refused the handshake (connect_error): ')
        else:
            self.refusal = AgentError(f'the coordinator refused the connection: {data.get("message")}', EXIT_REFUSED)
        self.handshake_done.set()

    def request(self, message, reply_type):
        """Sends one request envelope and returns the decoded reply of `reply_type`; raises on a ProtocolError."""
        if self.disconnected.is_set():
            raise AgentError('the coordinator closed the connection', EXIT_UNREACHABLE)
        self.request_counter += 1
        request_id = f'py-{self.sio.sid}-{self.request_counter}'
        frame = self.codec.encode(message, request_id)
        try:
            reply = self.sio.call(DEVICE_CHANNEL_EVENT, frame, timeout=self.options.request_timeout)
        except self.socketio.exceptions.TimeoutError:
            raise AgentError(f'no reply to {message.DESCRIPTOR.full_name} within {self.options.request_timeout} s',
                             EXIT_TIMEOUT) from None
        except self.socketio.exceptions.BadNamespaceError:
            raise AgentError('the coordinator closed the connection', EXIT_UNREACHABLE) from None
        reply_name, reply_message, _ = self.codec.decode(reply)
        if reply_name == f'{PROTO_PACKAGE}.ProtocolError':
            raise ProtocolFailure(reply_message.code, self.codec.messages.code_name(reply_message.code),
                                  reply_message.message,
                                  context=f'the coordinator answered {message.DESCRIPTOR.full_name} with ProtocolError ')
        expected = f'{PROTO_PACKAGE}.{reply_type}'
        if reply_name != expected:
            raise AgentError(f'expected {expected} in reply to {message.DESCRIPTOR.full_name}, got {reply_name}',
                             EXIT_PROTOCOL_ERROR)
        return reply_message

    def _on_frame(self, frame, *_):
        """A push from the coordinator; the return value (an envelope) is the ack when the coordinator asked for one."""
        type_name, request_id = '', ''
        try:
            type_name, message, request_id = self.codec.decode(frame)
            reply = self.on_push(type_name, message) if self.on_push else None
            if reply is None:
                return None
            return self.codec.encode(reply, request_id)
        except ProtocolFailure as failure:
            return self.codec.encode(self.codec.protocol_error(failure, type_name, request_id), request_id)


# --- what the device says about itself -------------------------------------------------------------------------

def read_proc_field(path, key):
    try:
        with open(path, encoding='utf-8') as handle:
            for line in handle:
                name, _, value = line.partition(':')
                if name.strip() == key:
                    return value.strip()
    except OSError:
        pass
    return None


def physical_memory_bytes():
    try:
        return os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
    except (ValueError, OSError, AttributeError):
        return 0


def device_facts(messages, labels):
    machine = platform.machine().lower()
    arch = {'x86_64': 'x64', 'amd64': 'x64', 'aarch64': 'arm64'}.get(machine, machine)
    cpu_model = read_proc_field('/proc/cpuinfo', 'model name') or platform.processor() or machine
    return messages.DeviceFacts(
        platform=sys.platform,
        arch=arch,
        cpu_model=cpu_model,
        cores=os.cpu_count() or 1,
        memory_bytes=physical_memory_bytes(),
        backends_available=[],  # it cannot run tfjs: jobs that name a backend never match this device
        wasm_simd=False,
        wasm_threads=False,
        device_model=platform.node() or AGENT_NAME,
        agent_version=SENDER_VERSION,
        chosen_backend=AGENT_NAME,
        runtime=f'python {platform.python_version()}',
        labels=labels,
    )


def telemetry(messages):
    available_kib = read_proc_field('/proc/meminfo', 'MemAvailable')
    rss_pages = None
    try:
        with open('/proc/self/statm', encoding='utf-8') as handle:
            rss_pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):
        load = 0.0
    return messages.Telemetry(
        free_memory_bytes=int(available_kib.split()[0]) * 1024 if available_kib else 0,
        rss_bytes=rss_pages * os.sysconf('SC_PAGE_SIZE') if rss_pages is not None else 0,
        load_average_1m=load,
        temperature_celsius=-1.0,
        battery_level=-1.0,
        charging=False,
    )


# --- the device session -----------------------------------------------------------------------------------------

class DeviceSession:
    """The authenticated session: heartbeats, the one job this agent takes, and its reports.

    Created before its link connects: the coordinator may push a JobAssignment right after the HelloResponse.
    """

    def __init__(self, messages):
        self.link = None
        self.messages = messages
        self.heartbeat_interval_s = 5.0
        self.next_heartbeat = time.monotonic()
        self.events = queue.Queue()
        self.lock = threading.Lock()
        self.job = None
        self.finished = False
        self.heartbeats = 0

    # Runs on the socket.io read loop: decide at once, never wait for the coordinator here.
    def on_push(self, type_name, message):
        short = type_name.rsplit('.', 1)[-1]
        if short == 'JobAssignment':
            return self._on_assignment(message)
        if short == 'JobCancel':
            with self.lock:
                running = self.job is not None and not self.finished and self.job.job_id == message.job_id
            self.events.put(('cancel', message))
            return self.messages.Ack(ok=running)
        if short == 'ProtocolError':
            self.events.put(('error', message))
            return None
        raise ProtocolFailure(self.messages.error_code.Value('ERROR_CODE_UNKNOWN_MESSAGE_TYPE'),
                              'UNKNOWN_MESSAGE_TYPE', f'the Python agent does not handle {type_name}')

    def _on_assignment(self, assignment):
        accepted = self.messages.JobAccepted(job_id=assignment.job_id, attempt=assignment.attempt)
        with self.lock:
            current = self.job
            if current is not None and (current.job_id, current.attempt) == (assignment.job_id, assignment.attempt):
                accepted.accepted = True  # a resent assignment of the job already taken
                return accepted
            if current is not None or self.finished:
                accepted.accepted = False
                accepted.reason = f'busy with job {current.job_id}' if current else f'{AGENT_NAME} takes one job per run'
                return accepted
            if not assignment.HasField('spec'):
                accepted.accepted = False
                accepted.reason = 'assignment carries no job spec'
                return accepted
            self.job = assignment
        self.events.put(('assignment', assignment))
        accepted.accepted = True
        return accepted

    def start(self, link, heartbeat_interval_ms):
        self.link = link
        self.set_heartbeat_interval(heartbeat_interval_ms)
        self.heartbeat()

    def set_heartbeat_interval(self, interval_ms):
        if interval_ms > 0:
            self.heartbeat_interval_s = max(interval_ms, 100) / 1000.0

    def running_job_ids(self):
        with self.lock:
            return [self.job.job_id] if self.job is not None and not self.finished else []

    def heartbeat(self):
        beat = self.messages.Heartbeat(sent_at_ms=int(time.time() * 1000), telemetry=telemetry(self.messages),
                                       running_job_ids=self.running_job_ids())
        ack = self.link.request(beat, 'HeartbeatAck')
        self.heartbeats += 1
        self.set_heartbeat_interval(ack.heartbeat_interval_ms)
        self.next_heartbeat = time.monotonic() + self.heartbeat_interval_s

    def wait(self, seconds):
        """Waits up to `seconds`, heartbeating when due; returns the first pushed event, or None."""
        deadline = time.monotonic() + seconds
        while True:
            if self.link.disconnected.is_set():
                raise AgentError('the coordinator closed the connection', EXIT_UNREACHABLE)
            now = time.monotonic()
            if now >= self.next_heartbeat:
                self.heartbeat()
                continue
            if now >= deadline:
                return None
            try:
                event = self.events.get(timeout=min(deadline, self.next_heartbeat) - now)
            except queue.Empty:
                continue
            self._raise_for(event)
            return event

    def _raise_for(self, event):
        kind, message = event
        if kind == 'cancel' and self.job is not None and message.job_id == self.job.job_id:
            raise AgentError(f'job {message.job_id} was cancelled by the coordinator: {message.reason}', EXIT_CANCELLED)
        if kind == 'error':
            raise ProtocolFailure(message.code, self.messages.code_name(message.code), message.message,
                                  context='the coordinator pushed ProtocolError ')

    def take_assignment(self, timeout_s):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            event = self.wait(deadline - time.monotonic())
            if event is not None and event[0] == 'assignment':
                return event[1]
        raise AgentError(f'no job was assigned within {timeout_s} s', EXIT_TIMEOUT)

    def report(self, message):
        self.link.request(message, 'Ack')


def synthetic_progress(messages, assignment, sequence, step, total_steps, started):
    """Figures that look like a run but are not one: a fixed, documented curve (see agents/python/README.md)."""
    density = assignment.spec.density if assignment.spec.density > 0 else 1.0
    return messages.ProgressReport(
        job_id=assignment.job_id, attempt=assignment.attempt, sequence=sequence,
        epoch=0, step=step, total_steps=total_steps,
        loss=round(2.0 / step, 6), train_accuracy=round(0.1 * step, 6), test_accuracy=-1.0,
        density=density, step_ms_p50=10.0, step_ms_p90=12.0, peak_memory_bytes=0, mask_updates=0,
        phase='training', elapsed_ms=int((time.monotonic() - started) * 1000),
    )


def synthetic_result(messages, assignment, sequence, steps, started):
    density = assignment.spec.density if assignment.spec.density > 0 else 1.0
    return messages.JobResult(
        job_id=assignment.job_id, attempt=assignment.attempt, sequence=sequence,
        outcome=messages.modules['job'].JOB_OUTCOME_SUCCEEDED,
        backend=AGENT_NAME, data_source='synthetic', synthetic_data=True,
        test_accuracy=0.5, test_loss=1.0, final_density=density, epochs=1, steps=steps,
        wall_ms=int((time.monotonic() - started) * 1000), step_ms_p50=10.0, step_ms_p90=12.0,
        agent_version=SENDER_VERSION,
    )


def check_idempotency(session, messages, first_report):
    """Resends report 1 unchanged (expects Ack) and with other content (expects CONFLICT); returns what came back."""
    session.report(first_report)
    altered = messages.ProgressReport()
    altered.CopyFrom(first_report)
    altered.loss = first_report.loss + 1.0
    try:
        session.report(altered)
    except ProtocolFailure as failure:
        return {'resend': 'Ack', 'altered': failure.code_name}
    return {'resend': 'Ack', 'altered': 'Ack'}


def run_job(session, messages, assignment, options):
    started = time.monotonic()
    steps = max(1, options.progress_reports)
    log(f'job {assignment.job_id} attempt {assignment.attempt}: model {assignment.spec.model}, method '
        f'{assignment.spec.method}, lease {assignment.lease_ms} ms (reporting synthetic figures, not training)')
    summary = {'jobId': assignment.job_id, 'attempt': assignment.attempt, 'progress': []}
    sequence = 0
    for step in range(1, steps + 1):
        sequence += 1
        report = synthetic_progress(messages, assignment, sequence, step, steps, started)
        session.report(report)
        summary['progress'].append({'sequence': sequence, 'step': step, 'loss': report.loss,
                                    'trainAccuracy': report.train_accuracy})
        log(f'progress {sequence}: step {step}/{steps} loss {report.loss}')
        if step == 1 and options.check_idempotency:
            summary['idempotency'] = check_idempotency(session, messages, report)
        session.wait(options.report_interval)
    sequence += 1
    result = synthetic_result(messages, assignment, sequence, steps, started)
    with session.lock:
        session.finished = True
    session.report(result)
    summary['result'] = {'sequence': sequence, 'backend': result.backend, 'testAccuracy': result.test_accuracy,
                         'testLoss': result.test_loss, 'steps': result.steps}
    log(f'result sent: outcome SUCCEEDED, backend {result.backend}')
    return summary


# --- the run ----------------------------------------------------------------------------------------------------

def enroll(deps, codec, messages, options, facts):
    with DeviceLink(deps, codec, options, {'enrollmentToken': options.token}) as link:
        response = link.request(messages.EnrollRequest(facts=facts, display_name=options.name), 'EnrollResponse')
    log(f'enrolled as device {response.device_id}')
    return response


def run(options):
    deps = import_dependencies()
    with tempfile.TemporaryDirectory(prefix='sparsefleet-pb-') as generated:
        messages = MessageRegistry(generate_messages(options.proto_dir, options.protoc, generated))
    codec = EnvelopeCodec(messages)
    labels = {'agent': AGENT_NAME, **dict(options.label)}
    facts = device_facts(messages, labels)
    enrolled = enroll(deps, codec, messages, options, facts)
    # The enrollment connection could go on as the device; reconnecting proves the credential works.
    auth = {'deviceId': enrolled.device_id, 'credential': enrolled.credential}
    session = DeviceSession(messages)
    with DeviceLink(deps, codec, options, auth, on_push=session.on_push) as link:
        hello = link.request(messages.HelloRequest(facts=facts, running_job_ids=[]), 'HelloResponse')
        log(f'hello: device {hello.device_id}, heartbeat every {hello.heartbeat_interval_ms} ms')
        session.start(link, hello.heartbeat_interval_ms or enrolled.heartbeat_interval_ms)
        assignment = session.take_assignment(options.job_timeout)
        summary = run_job(session, messages, assignment, options)
        summary['deviceId'] = enrolled.device_id
        summary['heartbeats'] = session.heartbeats
    return summary


def parse_label(text):
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError(f'a label is key=value, got "{text}"')
    return key, value


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Minimal sparsefleet device agent (protocol demonstration; reports '
                                                 'synthetic figures, does not train).')
    parser.add_argument('--server', required=True, help='coordinator URL, e.g. http://127.0.0.1:8080')
    parser.add_argument('--token', required=True, help='enrollment token')
    parser.add_argument('--name', default=f'{AGENT_NAME}@{platform.node()}', help='display name of the device')
    parser.add_argument('--label', action='append', default=[], type=parse_label, metavar='KEY=VALUE',
                        help='label in the device facts (repeatable; agent=python-protocol-agent is always set)')
    parser.add_argument('--connect-timeout', type=float, default=10.0, help='seconds to wait for the handshake')
    parser.add_argument('--request-timeout', type=float, default=10.0, help='seconds to wait for each reply')
    parser.add_argument('--job-timeout', type=float, default=60.0, help='seconds to wait for a job assignment')
    parser.add_argument('--progress-reports', type=int, default=3, help='progress reports to send (>= 1)')
    parser.add_argument('--report-interval', type=float, default=0.2, help='seconds between progress reports')
    parser.add_argument('--check-idempotency', action='store_true',
                        help='resend progress report 1 unchanged (Ack expected) and altered (CONFLICT expected)')
    parser.add_argument('--proto-dir', default=DEFAULT_PROTO_DIR, help='directory holding sparsefleet/v1/*.proto')
    parser.add_argument('--protoc', default='protoc', help='protoc executable')
    parser.add_argument('--socketio-path', default='socket.io', help='socket.io endpoint path on the coordinator')
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        summary = run(options)
    except AgentError as error:
        print(f'{AGENT_NAME}: error: {error}', file=sys.stderr, flush=True)
        return error.exit_code
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
