"""Work around a Debian packaging bug, not a gatehouse one.

Debian's azure-cli 2.45 ships with python3-azure's azure-mgmt-authorization
3.0.0, whose operation groups keep their configuration in `_config`; the
CLI's role module was written for 0.61 and reads `.config.subscription_id`,
so every `az role assignment|definition` command dies with
"'RoleAssignmentsOperations' object has no attribute 'config'" against any
cloud, Azure included (Azure/azure-cli#24959, #26896). test.sh puts this
directory on PYTHONPATH so the real role commands can run: when an
azure.mgmt.authorization operations module is imported, each *Operations
class without `config` gets it as an alias of `_config`. Nothing else is
touched.
"""
import importlib.abc
import sys


def _alias_config(module):
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__name__.endswith("Operations") and not hasattr(value, "config"):
            value.config = property(lambda self: self._config)


class _AuthorizationOperationsFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if not (name.startswith("azure.mgmt.authorization.") and name.endswith(".operations")):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_alias(module):
            exec_module(module)
            _alias_config(module)

        spec.loader.exec_module = exec_and_alias
        return spec


sys.meta_path.insert(0, _AuthorizationOperationsFinder())
