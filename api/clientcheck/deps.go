//go:build tools

// Package clientcheck is where .ci/run generates a Go client from pdca's
// OpenAPI document with oapi-codegen's default configuration (types,
// client, Echo server, embedded document) and compiles it: a document
// whose schema names collide with the generated types fails here. It is
// a module of its own, so its dependencies (the generator, Echo) are not
// pdca's; this file keeps what the generated code imports in go.mod.
package clientcheck

import (
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/labstack/echo/v4"
	_ "github.com/oapi-codegen/runtime"
)
