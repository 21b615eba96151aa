"""The message classes of the Functions host <-> language worker protocol, as real protobuf classes.

Azure's proxy worker hands `azure_functions_runtime` a module of classes generated from the host's `FunctionRpc.proto`
(`properties={"protos": ...}` on WorkerInitRequest); the library builds every reply from that module. This module is
our own schema for the part of that protocol the library and the local host use, built at import time into a
private descriptor pool: same package, message, field and enum names and the same field numbers as the host's
protocol (so the bytes are those of the wire), no generated code and no protoc (docs/adr/0012).

    from devhost.worker import protos
    protos.TypedData(json='{"a": 1}').WhichOneof("data")     # 'json'
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PACKAGE = "AzureFunctionsRpcMessages"
_F = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "string": _F.TYPE_STRING,
    "bytes": _F.TYPE_BYTES,
    "bool": _F.TYPE_BOOL,
    "int32": _F.TYPE_INT32,
    "int64": _F.TYPE_INT64,
    "sint64": _F.TYPE_SINT64,
    "double": _F.TYPE_DOUBLE,
}
_WELL_KNOWN = {"Duration": ".google.protobuf.Duration", "Timestamp": ".google.protobuf.Timestamp"}

# message -> fields as (name, number, type[, oneof]); "repeated X" and "map<K,V>" as in a .proto file.
_STATUS = ("result", 3, "StatusResult")
MESSAGES: dict[str, list[tuple[Any, ...]]] = {
    "StreamingMessage": [
        ("request_id", 1, "string"),
        ("rpc_log", 2, "RpcLog", "content"),
        ("invocation_request", 4, "InvocationRequest", "content"),
        ("invocation_response", 5, "InvocationResponse", "content"),
        ("function_load_request", 8, "FunctionLoadRequest", "content"),
        ("function_load_response", 9, "FunctionLoadResponse", "content"),
        ("worker_status_request", 12, "WorkerStatusRequest", "content"),
        ("worker_status_response", 13, "WorkerStatusResponse", "content"),
        ("worker_init_response", 16, "WorkerInitResponse", "content"),
        ("worker_init_request", 17, "WorkerInitRequest", "content"),
        ("start_stream", 20, "StartStream", "content"),
        ("function_environment_reload_request", 25, "FunctionEnvironmentReloadRequest", "content"),
        ("function_environment_reload_response", 26, "FunctionEnvironmentReloadResponse", "content"),
        ("functions_metadata_request", 29, "FunctionsMetadataRequest", "content"),
        ("function_metadata_response", 30, "FunctionMetadataResponse", "content"),
    ],
    "StartStream": [("worker_id", 2, "string")],
    "WorkerInitRequest": [
        ("host_version", 1, "string"),
        ("capabilities", 2, "map<string,string>"),
        ("worker_directory", 4, "string"),
        ("function_app_directory", 5, "string"),
    ],
    "WorkerInitResponse": [
        ("worker_version", 1, "string"),
        ("capabilities", 2, "map<string,string>"),
        _STATUS,
        ("worker_metadata", 4, "WorkerMetadata"),
    ],
    "WorkerMetadata": [
        ("runtime_name", 1, "string"),
        ("runtime_version", 2, "string"),
        ("worker_version", 3, "string"),
        ("worker_bitness", 4, "string"),
        ("custom_properties", 5, "map<string,string>"),
    ],
    "StatusResult": [
        ("result", 1, "string"),
        ("exception", 2, "RpcException"),
        ("logs", 3, "repeated RpcLog"),
        ("status", 4, "StatusResult.Status"),
    ],
    "WorkerStatusRequest": [],
    "WorkerStatusResponse": [],
    "FunctionEnvironmentReloadRequest": [
        ("environment_variables", 1, "map<string,string>"),
        ("function_app_directory", 2, "string"),
    ],
    "FunctionEnvironmentReloadResponse": [
        ("worker_metadata", 1, "WorkerMetadata"),
        ("capabilities", 2, "map<string,string>"),
        _STATUS,
    ],
    "FunctionsMetadataRequest": [("function_app_directory", 1, "string")],
    "FunctionMetadataResponse": [
        ("function_metadata_results", 1, "repeated RpcFunctionMetadata"),
        ("result", 2, "StatusResult"),
        ("use_default_metadata_indexing", 3, "bool"),
    ],
    "FunctionLoadRequest": [
        ("function_id", 1, "string"),
        ("metadata", 2, "RpcFunctionMetadata"),
        ("managed_dependency_enabled", 3, "bool"),
    ],
    "FunctionLoadResponse": [
        ("function_id", 1, "string"),
        ("result", 2, "StatusResult"),
        ("is_dependency_downloaded", 3, "bool"),
    ],
    "RpcFunctionMetadata": [
        ("directory", 1, "string"),
        ("script_file", 2, "string"),
        ("entry_point", 3, "string"),
        ("name", 4, "string"),
        ("bindings", 6, "map<string,BindingInfo>"),
        ("is_proxy", 7, "bool"),
        ("status", 8, "StatusResult"),
        ("language", 9, "string"),
        ("raw_bindings", 10, "repeated string"),
        ("function_id", 13, "string"),
        ("managed_dependency_enabled", 14, "bool"),
        ("retry_options", 15, "RpcRetryOptions"),
        ("properties", 16, "map<string,string>"),
    ],
    "InvocationRequest": [
        ("invocation_id", 1, "string"),
        ("function_id", 2, "string"),
        ("input_data", 3, "repeated ParameterBinding"),
        ("trigger_metadata", 4, "map<string,TypedData>"),
        ("trace_context", 5, "RpcTraceContext"),
        ("retry_context", 6, "RetryContext"),
    ],
    "RpcTraceContext": [
        ("trace_parent", 1, "string"),
        ("trace_state", 2, "string"),
        ("attributes", 3, "map<string,string>"),
    ],
    "RetryContext": [
        ("retry_count", 1, "int32"),
        ("max_retry_count", 2, "int32"),
        ("exception", 3, "RpcException"),
    ],
    "InvocationResponse": [
        ("invocation_id", 1, "string"),
        ("output_data", 2, "repeated ParameterBinding"),
        _STATUS,
        ("return_value", 4, "TypedData"),
    ],
    "TypedData": [
        ("string", 1, "string", "data"),
        ("json", 2, "string", "data"),
        ("bytes", 3, "bytes", "data"),
        ("stream", 4, "bytes", "data"),
        ("http", 5, "RpcHttp", "data"),
        ("int", 6, "sint64", "data"),
        ("double", 7, "double", "data"),
        ("collection_bytes", 8, "CollectionBytes", "data"),
        ("collection_string", 9, "CollectionString", "data"),
        ("collection_double", 10, "CollectionDouble", "data"),
        ("collection_sint64", 11, "CollectionSInt64", "data"),
    ],
    "CollectionString": [("string", 1, "repeated string")],
    "CollectionBytes": [("bytes", 1, "repeated bytes")],
    "CollectionDouble": [("double", 1, "repeated double")],
    "CollectionSInt64": [("sint64", 1, "repeated sint64")],
    "RpcSharedMemory": [
        ("name", 1, "string"),
        ("offset", 2, "int64"),
        ("count", 3, "int64"),
        ("type", 4, "RpcDataType"),
    ],
    "ParameterBinding": [
        ("name", 1, "string"),
        ("data", 2, "TypedData", "rpc_data"),
        ("rpc_shared_memory", 3, "RpcSharedMemory", "rpc_data"),
    ],
    "BindingInfo": [
        ("type", 2, "string"),
        ("direction", 3, "BindingInfo.Direction"),
        ("data_type", 4, "BindingInfo.DataType"),
        ("properties", 5, "map<string,string>"),
    ],
    "RpcLog": [
        ("invocation_id", 1, "string"),
        ("category", 2, "string"),
        ("level", 3, "RpcLog.Level"),
        ("message", 4, "string"),
        ("event_id", 5, "string"),
        ("exception", 6, "RpcException"),
        ("properties", 7, "string"),
        ("log_category", 8, "RpcLog.RpcLogCategory"),
    ],
    "RpcException": [
        ("stack_trace", 1, "string"),
        ("message", 2, "string"),
        ("source", 3, "string"),
        ("is_user_exception", 4, "bool"),
        ("type", 5, "string"),
    ],
    "RpcHttpCookie": [
        ("name", 1, "string"),
        ("value", 2, "string"),
        ("domain", 3, "NullableString"),
        ("path", 4, "NullableString"),
        ("expires", 5, "NullableTimestamp"),
        ("secure", 6, "NullableBool"),
        ("http_only", 7, "NullableBool"),
        ("same_site", 8, "RpcHttpCookie.SameSite"),
        ("max_age", 9, "NullableDouble"),
    ],
    "RpcHttp": [
        ("method", 1, "string"),
        ("url", 2, "string"),
        ("headers", 3, "map<string,string>"),
        ("body", 4, "TypedData"),
        ("params", 10, "map<string,string>"),
        ("status_code", 12, "string"),
        ("query", 15, "map<string,string>"),
        ("enable_content_negotiation", 16, "bool"),
        ("rawBody", 17, "TypedData"),
        ("cookies", 19, "repeated RpcHttpCookie"),
        ("nullable_headers", 20, "map<string,NullableString>"),
        ("nullable_params", 21, "map<string,NullableString>"),
        ("nullable_query", 22, "map<string,NullableString>"),
    ],
    "RpcRetryOptions": [
        ("max_retry_count", 2, "int32"),
        ("delay_interval", 3, "Duration"),
        ("minimum_interval", 4, "Duration"),
        ("maximum_interval", 5, "Duration"),
        ("retry_strategy", 6, "RpcRetryOptions.RetryStrategy"),
    ],
    "NullableString": [("value", 1, "string", "string")],
    "NullableDouble": [("value", 1, "double", "double")],
    "NullableBool": [("value", 1, "bool", "bool")],
    "NullableTimestamp": [("value", 1, "Timestamp", "timestamp")],
}
ENUMS: dict[str, list[tuple[str, int]]] = {
    "RpcDataType": [
        ("unknown", 0),
        ("string", 1),
        ("json", 2),
        ("bytes", 3),
        ("stream", 4),
        ("http", 5),
        ("int", 6),
        ("double", 7),
        ("collection_bytes", 8),
        ("collection_string", 9),
        ("collection_double", 10),
        ("collection_sint64", 11),
    ],
    "StatusResult.Status": [("Failure", 0), ("Success", 1), ("Cancelled", 2)],
    "BindingInfo.Direction": [("in", 0), ("out", 1), ("inout", 2)],
    "BindingInfo.DataType": [("undefined", 0), ("string", 1), ("binary", 2), ("stream", 3)],
    "RpcLog.Level": [
        ("Trace", 0),
        ("Debug", 1),
        ("Information", 2),
        ("Warning", 3),
        ("Error", 4),
        ("Critical", 5),
        ("None", 6),
    ],
    "RpcLog.RpcLogCategory": [("User", 0), ("System", 1), ("CustomMetric", 2)],
    "RpcHttpCookie.SameSite": [("None", 0), ("Lax", 1), ("Strict", 2), ("ExplicitNone", 3)],
    "RpcRetryOptions.RetryStrategy": [("exponential_backoff", 0), ("fixed_delay", 1)],
}


def _type_name(name: str) -> str:
    return _WELL_KNOWN.get(name) or f".{PACKAGE}.{name}"


def _set_type(field: descriptor_pb2.FieldDescriptorProto, kind: str) -> None:
    if kind in _SCALARS:
        field.type = _SCALARS[kind]
    else:
        field.type = _F.TYPE_ENUM if kind in ENUMS else _F.TYPE_MESSAGE
        field.type_name = _type_name(kind)


def _add_field(message: descriptor_pb2.DescriptorProto, spec: tuple[Any, ...], oneofs: dict[str, int]) -> None:
    name, number, kind = spec[:3]
    field = message.field.add(name=name, number=number, label=_F.LABEL_OPTIONAL, json_name=name)
    if kind.startswith("map<"):
        key, value = kind[4:-1].split(",")
        entry = message.nested_type.add(name="".join(p.title() for p in name.split("_")) + "Entry")
        entry.options.map_entry = True
        _set_type(entry.field.add(name="key", number=1, label=_F.LABEL_OPTIONAL), key)
        _set_type(entry.field.add(name="value", number=2, label=_F.LABEL_OPTIONAL), value)
        field.label, field.type = _F.LABEL_REPEATED, _F.TYPE_MESSAGE
        field.type_name = f".{PACKAGE}.{message.name}.{entry.name}"
        return
    if kind.startswith("repeated "):
        field.label, kind = _F.LABEL_REPEATED, kind.removeprefix("repeated ")
    _set_type(field, kind)
    if len(spec) > 3:
        if spec[3] not in oneofs:
            oneofs[spec[3]] = len(message.oneof_decl)
            message.oneof_decl.add(name=spec[3])
        field.oneof_index = oneofs[spec[3]]


def _file() -> descriptor_pb2.FileDescriptorProto:
    fdp = descriptor_pb2.FileDescriptorProto(
        name="devhost/FunctionRpc.proto",
        package=PACKAGE,
        syntax="proto3",
        dependency=["google/protobuf/duration.proto", "google/protobuf/timestamp.proto"],
    )
    messages: dict[str, descriptor_pb2.DescriptorProto] = {}
    for name, fields in MESSAGES.items():
        message = messages[name] = fdp.message_type.add(name=name)
        oneofs: dict[str, int] = {}
        for spec in fields:
            _add_field(message, spec, oneofs)
    for full, values in ENUMS.items():
        owner, _, enum_name = full.rpartition(".")
        enum = (messages[owner].enum_type if owner else fdp.enum_type).add(name=enum_name)
        for value_name, number in values:
            enum.value.add(name=value_name, number=number)
    return fdp


def _build() -> dict[str, Any]:
    from google.protobuf import duration_pb2, timestamp_pb2

    pool = descriptor_pool.DescriptorPool()
    for well_known in (duration_pb2, timestamp_pb2):
        pool.AddSerializedFile(well_known.DESCRIPTOR.serialized_pb)
    pool.Add(_file())
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}")) for name in MESSAGES}


_CLASSES = _build()
StreamingMessage: Any = _CLASSES["StreamingMessage"]
StartStream: Any = _CLASSES["StartStream"]
WorkerInitRequest: Any = _CLASSES["WorkerInitRequest"]
WorkerInitResponse: Any = _CLASSES["WorkerInitResponse"]
WorkerMetadata: Any = _CLASSES["WorkerMetadata"]
StatusResult: Any = _CLASSES["StatusResult"]
WorkerStatusRequest: Any = _CLASSES["WorkerStatusRequest"]
WorkerStatusResponse: Any = _CLASSES["WorkerStatusResponse"]
FunctionEnvironmentReloadRequest: Any = _CLASSES["FunctionEnvironmentReloadRequest"]
FunctionEnvironmentReloadResponse: Any = _CLASSES["FunctionEnvironmentReloadResponse"]
FunctionsMetadataRequest: Any = _CLASSES["FunctionsMetadataRequest"]
FunctionMetadataResponse: Any = _CLASSES["FunctionMetadataResponse"]
FunctionLoadRequest: Any = _CLASSES["FunctionLoadRequest"]
FunctionLoadResponse: Any = _CLASSES["FunctionLoadResponse"]
RpcFunctionMetadata: Any = _CLASSES["RpcFunctionMetadata"]
InvocationRequest: Any = _CLASSES["InvocationRequest"]
RpcTraceContext: Any = _CLASSES["RpcTraceContext"]
RetryContext: Any = _CLASSES["RetryContext"]
InvocationResponse: Any = _CLASSES["InvocationResponse"]
TypedData: Any = _CLASSES["TypedData"]
CollectionString: Any = _CLASSES["CollectionString"]
CollectionBytes: Any = _CLASSES["CollectionBytes"]
CollectionDouble: Any = _CLASSES["CollectionDouble"]
CollectionSInt64: Any = _CLASSES["CollectionSInt64"]
RpcSharedMemory: Any = _CLASSES["RpcSharedMemory"]
ParameterBinding: Any = _CLASSES["ParameterBinding"]
BindingInfo: Any = _CLASSES["BindingInfo"]
RpcLog: Any = _CLASSES["RpcLog"]
RpcException: Any = _CLASSES["RpcException"]
RpcHttpCookie: Any = _CLASSES["RpcHttpCookie"]
RpcHttp: Any = _CLASSES["RpcHttp"]
RpcRetryOptions: Any = _CLASSES["RpcRetryOptions"]
NullableString: Any = _CLASSES["NullableString"]
NullableDouble: Any = _CLASSES["NullableDouble"]
NullableBool: Any = _CLASSES["NullableBool"]
NullableTimestamp: Any = _CLASSES["NullableTimestamp"]
