#pragma once
// Typed results for expected failures (a full disk, a hub that is down, a malformed config).
// Exceptions stay for construction and programmer errors; everything a caller should handle comes back as
// Result<T, E>, where E is the domain's own error type.

#include <cassert>
#include <utility>
#include <variant>

namespace touchpoint {

/// Wraps an error value so Result can be built from it unambiguously: `return Fail(OutboxError{...});`
template <class E>
struct Fail {
    // A constructor, not aggregate paren-init: clang 14 (the fuzz preset's compiler) lacks P0960.
    Fail(E e) : error(std::move(e)) {}  // NOLINT(google-explicit-constructor)
    E error;
};
template <class E>
Fail(E) -> Fail<E>;

/// Either a value of T or an error of E. Result<void, E> carries only the error.
template <class T, class E>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    template <class F>
    Result(Fail<F> f) : m_v(std::in_place_index<1>, E(std::move(f.error))) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(m_v); }
    const T& value() const& { assert(ok()); return std::get<0>(m_v); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const E& error() const { assert(!ok()); return std::get<1>(m_v); }

private:
    std::variant<T, E> m_v;
};

template <class E>
class [[nodiscard]] Result<void, E> {
public:
    Result() = default;
    template <class F>
    Result(Fail<F> f) : m_error(E(std::move(f.error))), m_ok(false) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const E& error() const { assert(!m_ok); return m_error; }

private:
    E m_error{};
    bool m_ok = true;
};

}  // namespace touchpoint
