// Boost.Asio and Boost.Beast compiled once here (BOOST_*_SEPARATE_COMPILATION), not in every file that uses
// them.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
