import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 557:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

const { Heap } = __nccwpck_require__(552);
const { MinHeap } = __nccwpck_require__(182);
const { MaxHeap } = __nccwpck_require__(412);

exports.Heap = Heap;
exports.MinHeap = MinHeap;
exports.MaxHeap = MaxHeap;


/***/ }),

/***/ 552:
/***/ ((__unused_webpack_module, exports) => {

/**
 * @license MIT
 * @copyright 2020 Eyas Ranjous <eyas.ranjous@gmail.com>
 *
 * @class
 */
class Heap {
  /**
   * @param {function} compare
   * @param {array} [values]
   * @param {number|string|object} [_leaf]
   */
  constructor(compare, values, _leaf) {
    if (typeof compare !== 'function') {
      throw new Error('Heap constructor expects a compare function');
    }
    this._compare = compare;
    this._nodes = Array.isArray(values) ? values : [];
    this._leaf = _leaf || null;

    if (this._nodes.length > 0) {
      this.fix();
    }
  }

  /**
   * Converts the heap to a cloned array without sorting.
   * @public
   * @returns {Array}
   */
  toArray() {
    return Array.from(this._nodes);
  }

  /**
   * Checks if a parent has a left child
   * @private
   */
  _hasLeftChild(parentIndex) {
    const leftChildIndex = (parentIndex * 2) + 1;
    return leftChildIndex < this.size();
  }

  /**
   * Checks if a parent has a right child
   * @private
   */
  _hasRightChild(parentIndex) {
    const rightChildIndex = (parentIndex * 2) + 2;
    return rightChildIndex < this.size();
  }

  /**
   * Compares two nodes
   * @private
   */
  _compareAt(i, j) {
    return this._compare(this._nodes[i], this._nodes[j]);
  }

  /**
   * Swaps two nodes in the heap
   * @private
   */
  _swap(i, j) {
    const temp = this._nodes[i];
    this._nodes[i] = this._nodes[j];
    this._nodes[j] = temp;
  }

  /**
   * Checks if parent and child should be swapped
   * @private
   */
  _shouldSwap(parentIndex, childIndex) {
    if (parentIndex < 0 || parentIndex >= this.size()) {
      return false;
    }

    if (childIndex < 0 || childIndex >= this.size()) {
      return false;
    }

    return this._compareAt(parentIndex, childIndex) > 0;
  }

  /**
   * Compares children of a parent
   * @private
   */
  _compareChildrenOf(parentIndex) {
    if (!this._hasLeftChild(parentIndex) && !this._hasRightChild(parentIndex)) {
      return -1;
    }

    const leftChildIndex = (parentIndex * 2) + 1;
    const rightChildIndex = (parentIndex * 2) + 2;

    if (!this._hasLeftChild(parentIndex)) {
      return rightChildIndex;
    }

    if (!this._hasRightChild(parentIndex)) {
      return leftChildIndex;
    }

    const compare = this._compareAt(leftChildIndex, rightChildIndex);
    return compare > 0 ? rightChildIndex : leftChildIndex;
  }

  /**
   * Compares two children before a position
   * @private
   */
  _compareChildrenBefore(index, leftChildIndex, rightChildIndex) {
    const compare = this._compareAt(rightChildIndex, leftChildIndex);

    if (compare <= 0 && rightChildIndex < index) {
      return rightChildIndex;
    }

    return leftChildIndex;
  }

  /**
   * Recursively bubbles up a node if it's in a wrong position
   * @private
   */
  _heapifyUp(startIndex) {
    let childIndex = startIndex;
    let parentIndex = Math.floor((childIndex - 1) / 2);

    while (this._shouldSwap(parentIndex, childIndex)) {
      this._swap(parentIndex, childIndex);
      childIndex = parentIndex;
      parentIndex = Math.floor((childIndex - 1) / 2);
    }
  }

  /**
   * Recursively bubbles down a node if it's in a wrong position
   * @private
   */
  _heapifyDown(startIndex) {
    let parentIndex = startIndex;
    let childIndex = this._compareChildrenOf(parentIndex);

    while (this._shouldSwap(parentIndex, childIndex)) {
      this._swap(parentIndex, childIndex);
      parentIndex = childIndex;
      childIndex = this._compareChildrenOf(parentIndex);
    }
  }

  /**
   * Recursively bubbles down a node before a given index
   * @private
   */
  _heapifyDownUntil(index) {
    let parentIndex = 0;
    let leftChildIndex = 1;
    let rightChildIndex = 2;
    let childIndex;

    while (leftChildIndex < index) {
      childIndex = this._compareChildrenBefore(
        index,
        leftChildIndex,
        rightChildIndex
      );

      if (this._shouldSwap(parentIndex, childIndex)) {
        this._swap(parentIndex, childIndex);
      }

      parentIndex = childIndex;
      leftChildIndex = (parentIndex * 2) + 1;
      rightChildIndex = (parentIndex * 2) + 2;
    }
  }

  /**
   * Inserts a new value into the heap
   * @public
   * @param {number|string|object} value
   * @returns {Heap}
   */
  insert(value) {
    this._nodes.push(value);
    this._heapifyUp(this.size() - 1);
    if (this._leaf === null || this._compare(value, this._leaf) > 0) {
      this._leaf = value;
    }
    return this;
  }

  /**
   * Inserts a new value into the heap
   * @public
   * @param {number|string|object} value
   * @returns {Heap}
   */
  push(value) {
    return this.insert(value);
  }

  /**
   * Removes and returns the root node in the heap
   * @public
   * @returns {number|string|object}
   */
  extractRoot() {
    if (this.isEmpty()) {
      return null;
    }

    const root = this.root();
    this._nodes[0] = this._nodes[this.size() - 1];
    this._nodes.pop();
    this._heapifyDown(0);

    if (root === this._leaf) {
      this._leaf = null;
    }

    return root;
  }

  /**
   * Removes and returns the root node in the heap
   * @public
   * @returns {number|string|object}
   */
  pop() {
    return this.extractRoot();
  }

  /**
   * Applies heap sort and return the values sorted by priority
   * @public
   * @returns {array}
   */
  sort() {
    for (let i = this.size() - 1; i > 0; i -= 1) {
      this._swap(0, i);
      this._heapifyDownUntil(i);
    }
    return this._nodes;
  }

  /**
   * Fixes node positions in the heap
   * @public
   * @returns {Heap}
   */
  fix() {
    // fix node positions
    for (let i = Math.floor(this.size() / 2) - 1; i >= 0; i -= 1) {
      this._heapifyDown(i);
    }

    // fix leaf value
    for (let i = Math.floor(this.size() / 2); i < this.size(); i += 1) {
      const value = this._nodes[i];
      if (this._leaf === null || this._compare(value, this._leaf) > 0) {
        this._leaf = value;
      }
    }

    return this;
  }

  /**
   * Verifies that all heap nodes are in the right position
   * @public
   * @returns {boolean}
   */
  isValid() {
    const isValidRecursive = (parentIndex) => {
      let isValidLeft = true;
      let isValidRight = true;

      if (this._hasLeftChild(parentIndex)) {
        const leftChildIndex = (parentIndex * 2) + 1;
        if (this._compareAt(parentIndex, leftChildIndex) > 0) {
          return false;
        }
        isValidLeft = isValidRecursive(leftChildIndex);
      }

      if (this._hasRightChild(parentIndex)) {
        const rightChildIndex = (parentIndex * 2) + 2;
        if (this._compareAt(parentIndex, rightChildIndex) > 0) {
          return false;
        }
        isValidRight = isValidRecursive(rightChildIndex);
      }

      return isValidLeft && isValidRight;
    };

    return isValidRecursive(0);
  }

  /**
   * Returns a shallow copy of the heap
   * @public
   * @returns {Heap}
   */
  clone() {
    return new Heap(this._compare, this._nodes.slice(), this._leaf);
  }

  /**
   * Returns the root node in the heap
   * @public
   * @returns {number|string|object}
   */
  root() {
    if (this.isEmpty()) {
      return null;
    }

    return this._nodes[0];
  }

  /**
   * Returns the root node in the heap
   * @public
   * @returns {number|string|object}
   */
  top() {
    return this.root();
  }

  /**
   * Returns a leaf node in the heap
   * @public
   * @returns {number|string|object}
   */
  leaf() {
    return this._leaf;
  }

  /**
   * Returns the number of nodes in the heap
   * @public
   * @returns {number}
   */
  size() {
    return this._nodes.length;
  }

  /**
   * Checks if the heap is empty
   * @public
   * @returns {boolean}
   */
  isEmpty() {
    return this.size() === 0;
  }

  /**
   * Clears the heap
   * @public
   */
  clear() {
    this._nodes = [];
    this._leaf = null;
  }

  /**
   * Implements an iterable on the heap
   * @public
   */
  [Symbol.iterator]() {
    let size = this.size();
    return {
      next: () => {
        size -= 1;
        return {
          value: this.pop(),
          done: size === -1
        };
      }
    };
  }

  /**
   * Builds a heap from a array of values
   * @public
   * @static
   * @param {array} values
   * @param {function} compare
   * @returns {Heap}
   */
  static heapify(values, compare) {
    if (!Array.isArray(values)) {
      throw new Error('Heap.heapify expects an array of values');
    }

    if (typeof compare !== 'function') {
      throw new Error('Heap.heapify expects a compare function');
    }

    return new Heap(compare, values).fix();
  }

  /**
   * Checks if a list of values is a valid heap
   * @public
   * @static
   * @param {array} values
   * @param {function} compare
   * @returns {boolean}
   */
  static isHeapified(values, compare) {
    return new Heap(compare, values).isValid();
  }
}

exports.Heap = Heap;


/***/ }),

/***/ 412:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

/**
 * @license MIT
 * @copyright 2020 Eyas Ranjous <eyas.ranjous@gmail.com>
 */

const { Heap } = __nccwpck_require__(552);

const getMaxCompare = (getCompareValue) => (a, b) => {
  const aVal = typeof getCompareValue === 'function' ? getCompareValue(a) : a;
  const bVal = typeof getCompareValue === 'function' ? getCompareValue(b) : b;
  return aVal < bVal ? 1 : -1;
};

/**
 * @class MaxHeap
 * @extends Heap
 */
class MaxHeap extends Heap {
  /**
   * @param {function} [getCompareValue]
   * @param {array} [values]
   */
  constructor(getCompareValue, values) {
    super(getMaxCompare(getCompareValue), values);
    this._getCompareValue = getCompareValue;
  }

  /**
   * Inserts a new value into the heap
   * @public
   * @param {number|string|object} value
   * @returns {MaxHeap}
   */
  insert(value) {
    super.insert(value);
    return this;
  }

  /**
   * Inserts a new value into the heap
   * @public
   * @param {number|string|object} value
   * @returns {MaxHeap}
   */
  push(value) {
    return this.insert(value);
  }

  /**
   * Fixes node positions in the heap
   * @public
   * @returns {MaxHeap}
   */
  fix() {
    super.fix();
    return this;
  }

  /**
   * Returns a shallow copy of the MaxHeap
   * @public
   * @returns {MaxHeap}
   */
  clone() {
    return new MaxHeap(this._getCompareValue, this._nodes.slice());
  }

  /**
   * Builds a MaxHeap from an array
   * @public
   * @static
   * @param {array} values
   * @param {function} [getCompareValue]
   * @returns {MaxHeap}
   */
  static heapify(values, getCompareValue) {
    if (!Array.isArray(values)) {
      throw new Error('MaxHeap.heapify expects an array');
    }
    return new MaxHeap(getCompareValue, values);
  }

  /**
   * Checks if a list of values is a valid max heap
   * @public
   * @static
   * @param {array} values
   * @param {function} [getCompareValue]
   * @returns {boolean}
   */
  static isHeapified(values, getCompareValue) {
    return new MaxHeap(getCompareValue, values).isValid();
  }
}

exports.MaxHeap = MaxHeap;


/***/ }),

/***/ 182:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

/**
 * @license MIT
 * @copyright 2020 Eyas Ranjous <eyas.ranjous@gmail.com>
 */

const { Heap } = __nccwpck_require__(552);

const getMinCompare = (getCompareValue) => (a, b) => {
  const aVal = typeof getCompareValue === 'function' ? getCompareValue(a) : a;
  const bVal = typeof getCompareValue === 'function' ? getCompareValue(b) : b;
  return aVal <= bVal ? -1 : 1;
};

/**
 * @class MinHeap
 * @extends Heap
 */
class MinHeap extends Heap {
  /**
   * @param {function} [getCompareValue]
   * @param {array} [values]
   */
  constructor(getCompareValue, values) {
    super(getMinCompare(getCompareValue), values);
    this._getCompareValue = getCompareValue;
  }

  /**
   * Inserts a new value into the heap
   * @public
   * @param {number|string|object} value
   * @returns {MinHeap}
   */
  insert(value) {
    super.insert(value);
    return this;
  }

  /**
   * Inserts a new value into the heap
   * @public
   * @param {number|string|object} value
   * @returns {MinHeap}
   */
  push(value) {
    return this.insert(value);
  }

  /**
   * Fixes node positions in the heap
   * @public
   * @returns {MinHeap}
   */
  fix() {
    super.fix();
    return this;
  }

  /**
   * Returns a shallow copy of the MinHeap
   * @public
   * @returns {MinHeap}
   */
  clone() {
    return new MinHeap(this._getCompareValue, this._nodes.slice());
  }

  /**
   * Builds a MinHeap from an array
   * @public
   * @static
   * @param {array} values
   * @param {function} [getCompareValue]
   * @returns {MinHeap}
   */
  static heapify(values, getCompareValue) {
    if (!Array.isArray(values)) {
      throw new Error('MinHeap.heapify expects an array');
    }
    return new MinHeap(getCompareValue, values);
  }

  /**
   * Checks if a list of values is a valid min heap
   * @public
   * @static
   * @param {array} values
   * @param {function} [getCompareValue]
   * @returns {boolean}
   */
  static isHeapified(values, getCompareValue) {
    return new MinHeap(getCompareValue, values).isValid();
  }
}

exports.MinHeap = MinHeap;


/***/ }),

/***/ 59:
/***/ ((__unused_webpack_module, exports) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Constants = void 0;
var Constants;
(function (Constants) {
    Constants[Constants["MAX_DIMENSION_SET_SIZE"] = 30] = "MAX_DIMENSION_SET_SIZE";
    Constants[Constants["MAX_DIMENSION_NAME_LENGTH"] = 250] = "MAX_DIMENSION_NAME_LENGTH";
    Constants[Constants["MAX_DIMENSION_VALUE_LENGTH"] = 1024] = "MAX_DIMENSION_VALUE_LENGTH";
    Constants[Constants["MAX_METRIC_NAME_LENGTH"] = 1024] = "MAX_METRIC_NAME_LENGTH";
    Constants[Constants["MAX_NAMESPACE_LENGTH"] = 256] = "MAX_NAMESPACE_LENGTH";
    Constants["VALID_NAMESPACE_REGEX"] = "^(?=.*\\S)[a-zA-Z0-9 ._#:/-]+$";
    Constants["VALID_DIMENSION_REGEX"] = "^[\0-]+$";
    Constants[Constants["MAX_TIMESTAMP_PAST_AGE"] = 1209600000] = "MAX_TIMESTAMP_PAST_AGE";
    Constants[Constants["MAX_TIMESTAMP_FUTURE_AGE"] = 7200000] = "MAX_TIMESTAMP_FUTURE_AGE";
    Constants["DEFAULT_NAMESPACE"] = "aws-embedded-metrics";
    Constants[Constants["MAX_METRICS_PER_EVENT"] = 100] = "MAX_METRICS_PER_EVENT";
    Constants[Constants["MAX_VALUES_PER_METRIC"] = 100] = "MAX_VALUES_PER_METRIC";
    Constants["DEFAULT_AGENT_HOST"] = "0.0.0.0";
    Constants[Constants["DEFAULT_AGENT_PORT"] = 25888] = "DEFAULT_AGENT_PORT";
})(Constants = exports.Constants || (exports.Constants = {}));


/***/ }),

/***/ 631:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
const EnvironmentConfigurationProvider_1 = __nccwpck_require__(969);
const Configuration = new EnvironmentConfigurationProvider_1.EnvironmentConfigurationProvider().getConfiguration();
exports["default"] = Configuration;


/***/ }),

/***/ 969:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.EnvironmentConfigurationProvider = void 0;
const Constants_1 = __nccwpck_require__(59);
const Environments_1 = __importDefault(__nccwpck_require__(268));
const ENV_VAR_PREFIX = 'AWS_EMF';
var ConfigKeys;
(function (ConfigKeys) {
    ConfigKeys["LOG_GROUP_NAME"] = "LOG_GROUP_NAME";
    ConfigKeys["LOG_STREAM_NAME"] = "LOG_STREAM_NAME";
    ConfigKeys["ENABLE_DEBUG_LOGGING"] = "ENABLE_DEBUG_LOGGING";
    ConfigKeys["SERVICE_NAME"] = "SERVICE_NAME";
    ConfigKeys["SERVICE_TYPE"] = "SERVICE_TYPE";
    ConfigKeys["AGENT_ENDPOINT"] = "AGENT_ENDPOINT";
    ConfigKeys["ENVIRONMENT_OVERRIDE"] = "ENVIRONMENT";
    ConfigKeys["NAMESPACE"] = "NAMESPACE";
})(ConfigKeys || (ConfigKeys = {}));
class EnvironmentConfigurationProvider {
    getConfiguration() {
        return {
            agentEndpoint: this.getEnvVariable(ConfigKeys.AGENT_ENDPOINT),
            debuggingLoggingEnabled: this.tryGetEnvVariableAsBoolean(ConfigKeys.ENABLE_DEBUG_LOGGING, false),
            logGroupName: this.getEnvVariable(ConfigKeys.LOG_GROUP_NAME),
            logStreamName: this.getEnvVariable(ConfigKeys.LOG_STREAM_NAME),
            serviceName: this.getEnvVariable(ConfigKeys.SERVICE_NAME) || this.getEnvVariableWithoutPrefix(ConfigKeys.SERVICE_NAME),
            serviceType: this.getEnvVariable(ConfigKeys.SERVICE_TYPE) || this.getEnvVariableWithoutPrefix(ConfigKeys.SERVICE_TYPE),
            environmentOverride: this.getEnvironmentOverride(),
            namespace: this.getEnvVariable(ConfigKeys.NAMESPACE) || Constants_1.Constants.DEFAULT_NAMESPACE,
        };
    }
    getEnvVariableWithoutPrefix(configKey) {
        return process.env[configKey];
    }
    getEnvVariable(configKey) {
        return process.env[`${ENV_VAR_PREFIX}_${configKey}`];
    }
    tryGetEnvVariableAsBoolean(configKey, fallback) {
        const configValue = this.getEnvVariable(configKey);
        return !configValue ? fallback : configValue.toLowerCase() === 'true';
    }
    getEnvironmentOverride() {
        const overrideValue = this.getEnvVariable(ConfigKeys.ENVIRONMENT_OVERRIDE);
        const environment = Environments_1.default[overrideValue];
        if (environment === undefined) {
            return Environments_1.default.Unknown;
        }
        return environment;
    }
}
exports.EnvironmentConfigurationProvider = EnvironmentConfigurationProvider;


/***/ }),

/***/ 660:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.DefaultEnvironment = void 0;
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const AgentSink_1 = __nccwpck_require__(595);
const Logger_1 = __nccwpck_require__(882);
class DefaultEnvironment {
    probe() {
        return Promise.resolve(true);
    }
    getName() {
        if (!Configuration_1.default.serviceName) {
            (0, Logger_1.LOG)('Unknown ServiceName.');
            return 'Unknown';
        }
        return Configuration_1.default.serviceName;
    }
    getType() {
        if (!Configuration_1.default.serviceType) {
            (0, Logger_1.LOG)('Unknown ServiceType.');
            return 'Unknown';
        }
        return Configuration_1.default.serviceType;
    }
    getLogGroupName() {
        // if the caller explicitly overrides logGroupName to
        // be empty, we should honor that rather than providing
        // the default behavior.
        if (Configuration_1.default.logGroupName === '') {
            return '';
        }
        return Configuration_1.default.logGroupName ? Configuration_1.default.logGroupName : `${this.getName()}-metrics`;
    }
    configureContext() {
        // no-op
    }
    getSink() {
        if (!this.sink) {
            this.sink = new AgentSink_1.AgentSink(this.getLogGroupName(), Configuration_1.default.logStreamName);
        }
        return this.sink;
    }
}
exports.DefaultEnvironment = DefaultEnvironment;


/***/ }),

/***/ 541:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.EC2Environment = void 0;
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const AgentSink_1 = __nccwpck_require__(595);
const Fetch_1 = __nccwpck_require__(796);
const Logger_1 = __nccwpck_require__(882);
// Documentation for configuring instance metadata can be found here:
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
const host = '169.254.169.254';
const tokenPath = '/latest/api/token';
const tokenRequestHeaderKey = 'X-aws-ec2-metadata-token-ttl-seconds';
const tokenRequestHeaderValue = '21600';
const metadataPath = '/latest/dynamic/instance-identity/document';
const metadataRequestTokenHeaderKey = 'X-aws-ec2-metadata-token';
class EC2Environment {
    probe() {
        return __awaiter(this, void 0, void 0, function* () {
            try {
                const options = {
                    host,
                    path: tokenPath,
                    method: 'PUT',
                    headers: { [tokenRequestHeaderKey]: tokenRequestHeaderValue },
                };
                this.token = yield (0, Fetch_1.fetchString)(options);
            }
            catch (e) {
                (0, Logger_1.LOG)(e);
                return false;
            }
            try {
                const metadataOptions = {
                    host,
                    path: metadataPath,
                    method: 'GET',
                    headers: { [metadataRequestTokenHeaderKey]: this.token },
                };
                this.metadata = yield (0, Fetch_1.fetchJSON)(metadataOptions);
                return !!this.metadata;
            }
            catch (e) {
                (0, Logger_1.LOG)(e);
                return false;
            }
        });
    }
    getName() {
        if (!Configuration_1.default.serviceName) {
            (0, Logger_1.LOG)('Unknown ServiceName.');
            return 'Unknown';
        }
        return Configuration_1.default.serviceName;
    }
    getType() {
        if (this.metadata) {
            return 'AWS::EC2::Instance';
        }
        // this will only happen if probe() is not called first
        return 'Unknown';
    }
    getLogGroupName() {
        return Configuration_1.default.logGroupName ? Configuration_1.default.logGroupName : `${this.getName()}-metrics`;
    }
    configureContext(context) {
        if (this.metadata) {
            context.setProperty('imageId', this.metadata.imageId);
            context.setProperty('instanceId', this.metadata.instanceId);
            context.setProperty('instanceType', this.metadata.instanceType);
            context.setProperty('privateIP', this.metadata.privateIp);
            context.setProperty('availabilityZone', this.metadata.availabilityZone);
        }
    }
    getSink() {
        if (!this.sink) {
            this.sink = new AgentSink_1.AgentSink(this.getLogGroupName(), Configuration_1.default.logStreamName);
        }
        return this.sink;
    }
}
exports.EC2Environment = EC2Environment;


/***/ }),

/***/ 95:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
    __setModuleDefault(result, mod);
    return result;
};
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ECSEnvironment = void 0;
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const AgentSink_1 = __nccwpck_require__(595);
const Fetch_1 = __nccwpck_require__(796);
const Logger_1 = __nccwpck_require__(882);
const os = __importStar(__nccwpck_require__(857));
const Constants_1 = __nccwpck_require__(59);
// formats image names into something more readable for a metric name
// e.g. <account-id>.dkr.ecr.<region>.amazonaws.com/<image-name>:latest -> <image-name>:latest
const formatImageName = (imageName) => {
    if (imageName) {
        const splitImageName = imageName.split('/');
        return splitImageName[splitImageName.length - 1];
    }
    return imageName;
};
class ECSEnvironment {
    probe() {
        return __awaiter(this, void 0, void 0, function* () {
            if (!process.env.ECS_CONTAINER_METADATA_URI) {
                return Promise.resolve(false);
            }
            if (process.env.FLUENT_HOST && !Configuration_1.default.agentEndpoint) {
                this.fluentBitEndpoint = `tcp://${process.env.FLUENT_HOST}:${Constants_1.Constants.DEFAULT_AGENT_PORT}`;
                Configuration_1.default.agentEndpoint = this.fluentBitEndpoint;
                (0, Logger_1.LOG)(`Using FluentBit configuration. Endpoint: ${this.fluentBitEndpoint}`);
            }
            try {
                const options = new URL(process.env.ECS_CONTAINER_METADATA_URI);
                this.metadata = yield (0, Fetch_1.fetchJSON)(options);
                if (this.metadata) {
                    this.metadata.FormattedImageName = formatImageName(this.metadata.Image);
                    (0, Logger_1.LOG)(`Successfully collected ECS Container metadata.`);
                }
            }
            catch (e) {
                (0, Logger_1.LOG)('Failed to collect ECS Container Metadata.');
                (0, Logger_1.LOG)(e);
            }
            // return true regardless of whether or not metadata collection
            // succeeded. we know that this is supposed to be an ECS environment
            // just from the environment variable
            return true;
        });
    }
    getName() {
        var _a;
        if (Configuration_1.default.serviceName) {
            return Configuration_1.default.serviceName;
        }
        return ((_a = this.metadata) === null || _a === void 0 ? void 0 : _a.FormattedImageName) ? this.metadata.FormattedImageName : 'Unknown';
    }
    getType() {
        return 'AWS::ECS::Container';
    }
    getLogGroupName() {
        // FireLens / fluent-bit does not need the log group to be included
        // since configuration of the LogGroup is handled by the
        // fluent bit config file
        if (this.fluentBitEndpoint) {
            return '';
        }
        return Configuration_1.default.logGroupName || this.getName();
    }
    configureContext(context) {
        var _a, _b, _c, _d, _e;
        this.addProperty(context, 'containerId', os.hostname());
        this.addProperty(context, 'createdAt', (_a = this.metadata) === null || _a === void 0 ? void 0 : _a.CreatedAt);
        this.addProperty(context, 'startedAt', (_b = this.metadata) === null || _b === void 0 ? void 0 : _b.StartedAt);
        this.addProperty(context, 'image', (_c = this.metadata) === null || _c === void 0 ? void 0 : _c.Image);
        this.addProperty(context, 'cluster', (_d = this.metadata) === null || _d === void 0 ? void 0 : _d.Labels['com.amazonaws.ecs.cluster']);
        this.addProperty(context, 'taskArn', (_e = this.metadata) === null || _e === void 0 ? void 0 : _e.Labels['com.amazonaws.ecs.task-arn']);
        // we override the standard default dimensions here because in the
        // FireLens / fluent-bit case, we don't need the LogGroup
        if (this.fluentBitEndpoint) {
            context.setDefaultDimensions({
                ServiceName: Configuration_1.default.serviceName || this.getName(),
                ServiceType: Configuration_1.default.serviceType || this.getType(),
            });
        }
    }
    getSink() {
        if (!this.sink) {
            const logGroupName = this.fluentBitEndpoint ? '' : this.getLogGroupName();
            this.sink = new AgentSink_1.AgentSink(logGroupName);
        }
        return this.sink;
    }
    addProperty(context, key, value) {
        if (value) {
            context.setProperty(key, value);
        }
    }
}
exports.ECSEnvironment = ECSEnvironment;


/***/ }),

/***/ 471:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.cleanResolveEnvironment = exports.resolveEnvironment = void 0;
const Logger_1 = __nccwpck_require__(882);
const DefaultEnvironment_1 = __nccwpck_require__(660);
const ECSEnvironment_1 = __nccwpck_require__(95);
const EC2Environment_1 = __nccwpck_require__(541);
const LambdaEnvironment_1 = __nccwpck_require__(800);
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const Environments_1 = __importDefault(__nccwpck_require__(268));
const LocalEnvironment_1 = __nccwpck_require__(662);
const lambdaEnvironment = new LambdaEnvironment_1.LambdaEnvironment();
const ecsEnvironment = new ECSEnvironment_1.ECSEnvironment();
const ec2Environment = new EC2Environment_1.EC2Environment();
const defaultEnvironment = new DefaultEnvironment_1.DefaultEnvironment();
// ordering of this array matters
// both Lambda and ECS can be determined from environment variables
// making the entire detection process fast an cheap
// EC2 can only be determined by making a remote HTTP request
const environments = [lambdaEnvironment, ecsEnvironment, ec2Environment];
let environment = undefined;
const getEnvironmentFromOverride = () => {
    // short-circuit environment detection and use override
    switch (Configuration_1.default.environmentOverride) {
        case Environments_1.default.Agent:
            return defaultEnvironment;
        case Environments_1.default.EC2:
            return ec2Environment;
        case Environments_1.default.Lambda:
            return lambdaEnvironment;
        case Environments_1.default.ECS:
            return ecsEnvironment;
        case Environments_1.default.Local:
            return new LocalEnvironment_1.LocalEnvironment();
        case Environments_1.default.Unknown:
        default:
            return undefined;
    }
};
const discoverEnvironment = () => __awaiter(void 0, void 0, void 0, function* () {
    (0, Logger_1.LOG)(`Discovering environment`);
    for (const envUnderTest of environments) {
        (0, Logger_1.LOG)(`Testing: ${envUnderTest.constructor.name}`);
        try {
            if (yield envUnderTest.probe()) {
                return envUnderTest;
            }
        }
        catch (e) {
            (0, Logger_1.LOG)(`Failed probe: ${envUnderTest.constructor.name}`);
        }
    }
    return defaultEnvironment;
});
const _resolveEnvironment = () => __awaiter(void 0, void 0, void 0, function* () {
    (0, Logger_1.LOG)('Resolving environment');
    if (environment) {
        return environment;
    }
    if (Configuration_1.default.environmentOverride) {
        (0, Logger_1.LOG)('Environment override supplied', Configuration_1.default.environmentOverride);
        // this will be falsy if an invalid configuration value is provided
        environment = getEnvironmentFromOverride();
        if (environment) {
            return environment;
        }
        else {
            (0, Logger_1.LOG)('Invalid environment provided. Falling back to auto-discovery.', Configuration_1.default.environmentOverride);
        }
    }
    environment = yield discoverEnvironment(); // eslint-disable-line require-atomic-updates
    return environment;
});
// pro-actively begin resolving the environment
// this will allow us to kick off any async tasks
// at module load time to reduce any blocking that
// may occur on the initial flush()
const environmentPromise = _resolveEnvironment();
const resolveEnvironment = () => __awaiter(void 0, void 0, void 0, function* () {
    return environmentPromise;
});
exports.resolveEnvironment = resolveEnvironment;
// this method is used for testing to bypass the cached environmentPromise result
const cleanResolveEnvironment = () => __awaiter(void 0, void 0, void 0, function* () {
    yield environmentPromise;
    environment = undefined;
    return yield _resolveEnvironment();
});
exports.cleanResolveEnvironment = cleanResolveEnvironment;


/***/ }),

/***/ 268:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
var Environments;
(function (Environments) {
    Environments["Local"] = "Local";
    Environments["Lambda"] = "Lambda";
    Environments["Agent"] = "Agent";
    Environments["EC2"] = "EC2";
    Environments["ECS"] = "ECS";
    Environments["Unknown"] = "";
})(Environments || (Environments = {}));
exports["default"] = Environments;


/***/ }),

/***/ 800:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.LambdaEnvironment = void 0;
const ConsoleSink_1 = __nccwpck_require__(39);
class LambdaEnvironment {
    probe() {
        return Promise.resolve(process.env.AWS_LAMBDA_FUNCTION_NAME ? true : false);
    }
    getName() {
        return process.env.AWS_LAMBDA_FUNCTION_NAME || 'Unknown';
    }
    getType() {
        return 'AWS::Lambda::Function';
    }
    getLogGroupName() {
        return this.getName();
    }
    configureContext(context) {
        this.addProperty(context, 'executionEnvironment', process.env.AWS_EXECUTION_ENV);
        this.addProperty(context, 'memorySize', process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
        this.addProperty(context, 'functionVersion', process.env.AWS_LAMBDA_FUNCTION_VERSION);
        this.addProperty(context, 'logStreamId', process.env.AWS_LAMBDA_LOG_STREAM_NAME);
        const trace = this.getSampledTrace();
        if (trace) {
            this.addProperty(context, 'traceId', trace);
        }
    }
    getSink() {
        if (!this.sink) {
            this.sink = new ConsoleSink_1.ConsoleSink();
        }
        return this.sink;
    }
    addProperty(context, key, value) {
        if (value) {
            context.setProperty(key, value);
        }
    }
    getSampledTrace() {
        // only collect traces which have been sampled
        if (process.env._X_AMZN_TRACE_ID && process.env._X_AMZN_TRACE_ID.includes('Sampled=1')) {
            return process.env._X_AMZN_TRACE_ID;
        }
    }
}
exports.LambdaEnvironment = LambdaEnvironment;


/***/ }),

/***/ 662:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.LocalEnvironment = void 0;
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const Logger_1 = __nccwpck_require__(882);
const ConsoleSink_1 = __nccwpck_require__(39);
class LocalEnvironment {
    probe() {
        // probe is not intended to be used in the LocalEnvironment
        // To use the local environment you should set the environment
        // override
        return Promise.resolve(false);
    }
    getName() {
        if (!Configuration_1.default.serviceName) {
            (0, Logger_1.LOG)('Unknown ServiceName.');
            return 'Unknown';
        }
        return Configuration_1.default.serviceName;
    }
    getType() {
        if (!Configuration_1.default.serviceType) {
            (0, Logger_1.LOG)('Unknown ServiceType.');
            return 'Unknown';
        }
        return Configuration_1.default.serviceType;
    }
    getLogGroupName() {
        return Configuration_1.default.logGroupName ? Configuration_1.default.logGroupName : `${this.getName()}-metrics`;
    }
    configureContext() {
        // no-op
    }
    getSink() {
        if (!this.sink) {
            this.sink = new ConsoleSink_1.ConsoleSink();
        }
        return this.sink;
    }
}
exports.LocalEnvironment = LocalEnvironment;


/***/ }),

/***/ 276:
/***/ ((__unused_webpack_module, exports) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.DimensionSetExceededError = void 0;
class DimensionSetExceededError extends Error {
    constructor(msg) {
        super(msg);
        // Set the prototype explicitly.
        Object.setPrototypeOf(this, DimensionSetExceededError.prototype);
    }
}
exports.DimensionSetExceededError = DimensionSetExceededError;


/***/ }),

/***/ 560:
/***/ ((__unused_webpack_module, exports) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.InvalidDimensionError = void 0;
class InvalidDimensionError extends Error {
    constructor(msg) {
        super(msg);
        // Set the prototype explicitly.
        Object.setPrototypeOf(this, InvalidDimensionError.prototype);
    }
}
exports.InvalidDimensionError = InvalidDimensionError;


/***/ }),

/***/ 798:
/***/ ((__unused_webpack_module, exports) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.InvalidMetricError = void 0;
class InvalidMetricError extends Error {
    constructor(msg) {
        super(msg);
        // Set the prototype explicitly.
        Object.setPrototypeOf(this, InvalidMetricError.prototype);
    }
}
exports.InvalidMetricError = InvalidMetricError;


/***/ }),

/***/ 873:
/***/ ((__unused_webpack_module, exports) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.InvalidNamespaceError = void 0;
class InvalidNamespaceError extends Error {
    constructor(msg) {
        super(msg);
        // Set the prototype explicitly.
        Object.setPrototypeOf(this, InvalidNamespaceError.prototype);
    }
}
exports.InvalidNamespaceError = InvalidNamespaceError;


/***/ }),

/***/ 728:
/***/ ((__unused_webpack_module, exports) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.InvalidTimestampError = void 0;
class InvalidTimestampError extends Error {
    constructor(msg) {
        super(msg);
        // Set the prototype explicitly.
        Object.setPrototypeOf(this, InvalidTimestampError.prototype);
    }
}
exports.InvalidTimestampError = InvalidTimestampError;


/***/ }),

/***/ 610:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Configuration = exports.StorageResolution = exports.Unit = exports.createMetricsLogger = exports.metricScope = exports.AgentSink = exports.LocalSink = exports.MetricsLogger = void 0;
var MetricsLogger_1 = __nccwpck_require__(642);
Object.defineProperty(exports, "MetricsLogger", ({ enumerable: true, get: function () { return MetricsLogger_1.MetricsLogger; } }));
var ConsoleSink_1 = __nccwpck_require__(39);
Object.defineProperty(exports, "LocalSink", ({ enumerable: true, get: function () { return ConsoleSink_1.ConsoleSink; } }));
var AgentSink_1 = __nccwpck_require__(595);
Object.defineProperty(exports, "AgentSink", ({ enumerable: true, get: function () { return AgentSink_1.AgentSink; } }));
var MetricScope_1 = __nccwpck_require__(955);
Object.defineProperty(exports, "metricScope", ({ enumerable: true, get: function () { return MetricScope_1.metricScope; } }));
var MetricsLoggerFactory_1 = __nccwpck_require__(122);
Object.defineProperty(exports, "createMetricsLogger", ({ enumerable: true, get: function () { return MetricsLoggerFactory_1.createMetricsLogger; } }));
var Unit_1 = __nccwpck_require__(629);
Object.defineProperty(exports, "Unit", ({ enumerable: true, get: function () { return Unit_1.Unit; } }));
var StorageResolution_1 = __nccwpck_require__(908);
Object.defineProperty(exports, "StorageResolution", ({ enumerable: true, get: function () { return StorageResolution_1.StorageResolution; } }));
const Configuration_1 = __importDefault(__nccwpck_require__(631));
exports.Configuration = Configuration_1.default;


/***/ }),

/***/ 955:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.metricScope = void 0;
const Logger_1 = __nccwpck_require__(882);
const MetricsLoggerFactory_1 = __nccwpck_require__(122);
/**
 * An asynchronous wrapper that provides a metrics instance.
 */
const metricScope = (handler) => {
    const wrappedHandler = (...args) => __awaiter(void 0, void 0, void 0, function* () {
        const metrics = (0, MetricsLoggerFactory_1.createMetricsLogger)();
        try {
            return yield handler(metrics)(...args);
        }
        finally {
            try {
                yield metrics.flush();
            }
            catch (e) {
                (0, Logger_1.LOG)('Failed to flush metrics', e);
            }
        }
    });
    return wrappedHandler;
};
exports.metricScope = metricScope;


/***/ }),

/***/ 993:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.MetricValues = void 0;
const StorageResolution_1 = __nccwpck_require__(908);
class MetricValues {
    constructor(value, unit, storageResolution) {
        this.values = [value];
        this.unit = unit || 'None';
        this.storageResolution = storageResolution || StorageResolution_1.StorageResolution.Standard;
    }
    /**
     * Appends the provided value to the current metric
     * @param value
     */
    addValue(value) {
        this.values.push(value);
    }
}
exports.MetricValues = MetricValues;


/***/ }),

/***/ 439:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.MetricsContext = void 0;
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const Logger_1 = __nccwpck_require__(882);
const Validator_1 = __nccwpck_require__(206);
const MetricValues_1 = __nccwpck_require__(993);
const StorageResolution_1 = __nccwpck_require__(908);
class MetricsContext {
    /**
     * Use this to create a new, empty context.
     */
    static empty() {
        return new MetricsContext();
    }
    /**
     * Constructor used to create child instances.
     * You should not use this constructor directly.
     * Instead, use createCopyWithContext() or empty().
     *
     * The reason for this is to avoid unexpected behavior when creating
     * MetricsContexts with defaultDimensions and existing dimensions.
     *
     * @param properties
     * @param dimensions
     */
    constructor(namespace, properties, dimensions, defaultDimensions, shouldUseDefaultDimensions, timestamp) {
        this.metrics = new Map();
        this.meta = {};
        this.shouldUseDefaultDimensions = true;
        this.metricNameAndResolutionMap = new Map();
        this.namespace = namespace || Configuration_1.default.namespace;
        this.properties = properties || {};
        this.dimensions = dimensions || [];
        this.timestamp = timestamp;
        this.meta.Timestamp = MetricsContext.resolveMetaTimestamp(timestamp);
        this.defaultDimensions = defaultDimensions || {};
        if (shouldUseDefaultDimensions != undefined) {
            this.shouldUseDefaultDimensions = shouldUseDefaultDimensions;
        }
    }
    static resolveMetaTimestamp(timestamp) {
        if (timestamp instanceof Date) {
            return timestamp.getTime();
        }
        else if (timestamp) {
            return timestamp;
        }
        else {
            return Date.now();
        }
    }
    setNamespace(value) {
        (0, Validator_1.validateNamespace)(value);
        this.namespace = value;
    }
    setProperty(key, value) {
        this.properties[key] = value;
    }
    setTimestamp(timestamp) {
        (0, Validator_1.validateTimestamp)(timestamp);
        this.timestamp = timestamp;
        this.meta.Timestamp = MetricsContext.resolveMetaTimestamp(timestamp);
    }
    /**
     * Sets default dimensions for the Context.
     * A dimension set will be created with just the default dimensions
     * and all calls to putDimensions will be prepended with the defaults.
     */
    setDefaultDimensions(dimensions) {
        (0, Logger_1.LOG)(`Received default dimensions`, dimensions);
        this.defaultDimensions = dimensions;
    }
    /**
     * Adds a new set of dimensions. Any time a new dimensions set
     * is added, the set is first prepended by the default dimensions.
     *
     * @param dimensions
     */
    putDimensions(incomingDimensionSet) {
        (0, Validator_1.validateDimensionSet)(incomingDimensionSet);
        // Duplicate dimensions sets are removed before being added to the end of the collection.
        // This ensures the latest dimension key-value is used as a target member on the root EMF node.
        // This operation is O(n^2), but acceptable given sets are capped at 10 dimensions
        const incomingDimensionSetKeys = Object.keys(incomingDimensionSet);
        this.dimensions = this.dimensions.filter((existingDimensionSet) => {
            const existingDimensionSetKeys = Object.keys(existingDimensionSet);
            if (existingDimensionSetKeys.length !== incomingDimensionSetKeys.length) {
                return true;
            }
            return !existingDimensionSetKeys.every((existingDimensionSetKey) => incomingDimensionSetKeys.includes(existingDimensionSetKey));
        });
        this.dimensions.push(incomingDimensionSet);
    }
    /**
     * Overwrite all dimensions.
     *
     * @param dimensionSets
     */
    setDimensions(dimensionSets, useDefault = false) {
        dimensionSets.forEach((dimensionSet) => (0, Validator_1.validateDimensionSet)(dimensionSet));
        this.shouldUseDefaultDimensions = useDefault;
        this.dimensions = dimensionSets;
    }
    /**
     * Reset all custom dimensions
     * @param useDefault Indicates whether default dimensions should be used
     */
    resetDimensions(useDefault) {
        this.shouldUseDefaultDimensions = useDefault;
        this.dimensions = [];
    }
    /**
     * Get the current dimensions.
     */
    getDimensions() {
        // caller has explicitly called setDimensions
        if (this.shouldUseDefaultDimensions === false) {
            return this.dimensions;
        }
        // if there are no default dimensions, return the custom dimensions
        if (Object.keys(this.defaultDimensions).length === 0) {
            return this.dimensions;
        }
        // if default dimensions have been provided, but no custom dimensions, use the defaults
        if (this.dimensions.length === 0) {
            return [this.defaultDimensions];
        }
        // otherwise, merge the dimensions
        // we do this on the read path because default dimensions
        // may get updated asynchronously by environment detection
        return this.dimensions.map((custom) => {
            return Object.assign(Object.assign({}, this.defaultDimensions), custom);
        });
    }
    putMetric(key, value, unit, storageResolution) {
        var _a;
        (0, Validator_1.validateMetric)(key, value, unit, storageResolution, this.metricNameAndResolutionMap);
        const currentMetric = this.metrics.get(key);
        if (currentMetric) {
            currentMetric.addValue(value);
        }
        else {
            this.metrics.set(key, new MetricValues_1.MetricValues(value, unit, storageResolution));
        }
        (_a = this.metricNameAndResolutionMap) === null || _a === void 0 ? void 0 : _a.set(key, storageResolution || StorageResolution_1.StorageResolution.Standard);
    }
    /**
     * Creates an independently flushable context.
     * Custom dimensions are preserved by default unless preserveDimensions parameter is set.
     * @param preserveDimensions Indicates whether custom dimensions should be preserved
     */
    createCopyWithContext(preserveDimensions = true) {
        return new MetricsContext(this.namespace, Object.assign({}, this.properties), preserveDimensions ? Object.assign([], this.dimensions) : [], this.defaultDimensions, this.shouldUseDefaultDimensions, this.timestamp);
    }
}
exports.MetricsContext = MetricsContext;


/***/ }),

/***/ 642:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.MetricsLogger = void 0;
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const MetricsContext_1 = __nccwpck_require__(439);
/**
 * An async metrics logger.
 * Use this interface to publish logs to CloudWatch Logs
 * and extract metrics to CloudWatch Metrics asynchronously.
 */
class MetricsLogger {
    constructor(resolveEnvironment, context) {
        this.configureContextForEnvironment = (context, environment) => {
            const defaultDimensions = {
                // LogGroup name will entirely depend on the environment since there
                // are some cases where the LogGroup cannot be configured (e.g. Lambda)
                LogGroup: environment.getLogGroupName(),
                ServiceName: Configuration_1.default.serviceName || environment.getName(),
                ServiceType: Configuration_1.default.serviceType || environment.getType(),
            };
            context.setDefaultDimensions(defaultDimensions);
            environment.configureContext(context);
        };
        this.resolveEnvironment = resolveEnvironment;
        this.context = context || MetricsContext_1.MetricsContext.empty();
        this.flushPreserveDimensions = true;
    }
    /**
     * Flushes the current context state to the configured sink.
     */
    flush() {
        return __awaiter(this, void 0, void 0, function* () {
            // resolve the environment and get the sink
            // MOST of the time this will run synchonrously
            // This only runs asynchronously if executing for the
            // first time in a non-lambda environment
            const environment = yield this.resolveEnvironment();
            this.configureContextForEnvironment(this.context, environment);
            const sink = environment.getSink();
            // accept and reset the context
            yield sink.accept(this.context);
            this.context = this.context.createCopyWithContext(this.flushPreserveDimensions);
        });
    }
    /**
     * Set a property on the published metrics.
     * This is stored in the emitted log data and you are not
     * charged for this data by CloudWatch Metrics.
     * These values can be values that are useful for searching on,
     * but have too high cardinality to emit as dimensions to
     * CloudWatch Metrics.
     *
     * @param key Property name
     * @param value Property value
     */
    setProperty(key, value) {
        this.context.setProperty(key, value);
        return this;
    }
    /**
     * Adds a dimension.
     * This is generally a low cardinality key-value pair that is part of the metric identity.
     * CloudWatch treats each unique combination of dimensions as a separate metric, even if the metrics have the same metric name.
     *
     * @param dimension
     * @param value
     * @see [CloudWatch Dimensions](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension)
     */
    putDimensions(dimensions) {
        this.context.putDimensions(dimensions);
        return this;
    }
    setDimensions(dimensionSetOrSets, useDefault = false) {
        if (Array.isArray(dimensionSetOrSets)) {
            this.context.setDimensions(dimensionSetOrSets, useDefault);
        }
        else {
            this.context.setDimensions([dimensionSetOrSets], useDefault);
        }
        return this;
    }
    /**
     * Clear all custom dimensions on this MetricsLogger instance
     *
     * @param useDefault indicates whether default dimensions should be used
     */
    resetDimensions(useDefault) {
        this.context.resetDimensions(useDefault);
        return this;
    }
    /**
     * Put a metric value.
     * This value will be emitted to CloudWatch Metrics asyncronously and does not contribute to your
     * account TPS limits. The value will also be available in your CloudWatch Logs
     * @param key
     * @param value
     * @param unit
     * @param storageResolution
     */
    putMetric(key, value, unit, storageResolution) {
        this.context.putMetric(key, value, unit, storageResolution);
        return this;
    }
    /**
     * Set the CloudWatch namespace that metrics should be published to.
     * @param value
     */
    setNamespace(value) {
        this.context.setNamespace(value);
        return this;
    }
    /**
     * Set the timestamp of metrics emitted in this context.
     *
     * If not set, the timestamp will default to new Date() at the point
     * the context is constructed.
     *
     * If set, timestamp will preserved across calls to flush().
     *
     * @param timestamp
     */
    setTimestamp(timestamp) {
        this.context.setTimestamp(timestamp);
        return this;
    }
    /**
     * Creates a new logger using the same contextual data as
     * the previous logger. This allows you to flush the instances
     * independently.
     */
    new() {
        return new MetricsLogger(this.resolveEnvironment, this.context.createCopyWithContext());
    }
}
exports.MetricsLogger = MetricsLogger;


/***/ }),

/***/ 122:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.createMetricsLogger = void 0;
const __1 = __nccwpck_require__(610);
const EnvironmentDetector_1 = __nccwpck_require__(471);
const MetricsContext_1 = __nccwpck_require__(439);
const createMetricsLogger = () => {
    const context = MetricsContext_1.MetricsContext.empty();
    return new __1.MetricsLogger(EnvironmentDetector_1.resolveEnvironment, context);
};
exports.createMetricsLogger = createMetricsLogger;


/***/ }),

/***/ 908:
/***/ ((__unused_webpack_module, exports) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.StorageResolution = void 0;
var StorageResolution;
(function (StorageResolution) {
    StorageResolution[StorageResolution["High"] = 1] = "High";
    StorageResolution[StorageResolution["Standard"] = 60] = "Standard";
})(StorageResolution = exports.StorageResolution || (exports.StorageResolution = {}));


/***/ }),

/***/ 629:
/***/ ((__unused_webpack_module, exports) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Unit = void 0;
var Unit;
(function (Unit) {
    Unit["Seconds"] = "Seconds";
    Unit["Microseconds"] = "Microseconds";
    Unit["Milliseconds"] = "Milliseconds";
    Unit["Bytes"] = "Bytes";
    Unit["Kilobytes"] = "Kilobytes";
    Unit["Megabytes"] = "Megabytes";
    Unit["Gigabytes"] = "Gigabytes";
    Unit["Terabytes"] = "Terabytes";
    Unit["Bits"] = "Bits";
    Unit["Kilobits"] = "Kilobits";
    Unit["Megabits"] = "Megabits";
    Unit["Gigabits"] = "Gigabits";
    Unit["Terabits"] = "Terabits";
    Unit["Percent"] = "Percent";
    Unit["Count"] = "Count";
    Unit["BytesPerSecond"] = "Bytes/Second";
    Unit["KilobytesPerSecond"] = "Kilobytes/Second";
    Unit["MegabytesPerSecond"] = "Megabytes/Second";
    Unit["GigabytesPerSecond"] = "Gigabytes/Second";
    Unit["TerabytesPerSecond"] = "Terabytes/Second";
    Unit["BitsPerSecond"] = "Bits/Second";
    Unit["KilobitsPerSecond"] = "Kilobits/Second";
    Unit["MegabitsPerSecond"] = "Megabits/Second";
    Unit["GigabitsPerSecond"] = "Gigabits/Second";
    Unit["TerabitsPerSecond"] = "Terabits/Second";
    Unit["CountPerSecond"] = "Count/Second";
    Unit["None"] = "None";
})(Unit = exports.Unit || (exports.Unit = {}));


/***/ }),

/***/ 258:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.LogSerializer = void 0;
/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
const heap_1 = __nccwpck_require__(557);
const Constants_1 = __nccwpck_require__(59);
const DimensionSetExceededError_1 = __nccwpck_require__(276);
const StorageResolution_1 = __nccwpck_require__(908);
/**
 * Serializes the provided context to the CWL Structured
 * Logs format with Embedded Metric Filters.
 */
class LogSerializer {
    /**
     * Retrieve the current context as a JSON string
     */
    serialize(context) {
        const dimensionKeys = [];
        let dimensionProperties = {};
        context.getDimensions().forEach((dimensionSet) => {
            const keys = Object.keys(dimensionSet);
            if (keys.length > Constants_1.Constants.MAX_DIMENSION_SET_SIZE) {
                const errMsg = `Maximum number of dimensions allowed are ${Constants_1.Constants.MAX_DIMENSION_SET_SIZE}.` +
                    `Account for default dimensions if not using set_dimensions.`;
                throw new DimensionSetExceededError_1.DimensionSetExceededError(errMsg);
            }
            dimensionKeys.push(keys);
            dimensionProperties = Object.assign(Object.assign({}, dimensionProperties), dimensionSet);
        });
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const createBody = () => {
            return Object.assign(Object.assign(Object.assign({}, dimensionProperties), context.properties), { _aws: Object.assign(Object.assign({}, context.meta), { CloudWatchMetrics: [
                        {
                            Dimensions: dimensionKeys,
                            Metrics: [],
                            Namespace: context.namespace,
                        },
                    ] }) });
        };
        const eventBatches = [];
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
        let currentBody = createBody();
        // eslint-disable-next-line
        const currentMetricsInBody = () => currentBody._aws.CloudWatchMetrics[0].Metrics.length;
        const hasMaxMetrics = () => currentMetricsInBody() === Constants_1.Constants.MAX_METRICS_PER_EVENT;
        // converts the body to JSON and pushes it into the batches
        const serializeCurrentBody = () => {
            eventBatches.push(JSON.stringify(currentBody));
            // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
            currentBody = createBody();
        };
        const remainingMetrics = heap_1.MaxHeap.heapify(Array.from(context.metrics, ([key, value]) => {
            return { name: key, numLeft: value.values.length };
        }), (metric) => metric.numLeft);
        let processedMetrics = [];
        // Batches the metrics with the most number of values first, such that each metric has no more
        // than 100 values, and each batch has no more than 100 metric definitions.
        while (!remainingMetrics.isEmpty()) {
            const metricProgress = remainingMetrics.extractRoot();
            const metric = context.metrics.get(metricProgress.name);
            if (metric) {
                const startIndex = metric.values.length - metricProgress.numLeft;
                // if there is only one metric value, unwrap it to make querying easier
                const metricValue = metricProgress.numLeft === 1
                    ? metric.values[startIndex]
                    : // eslint-disable-next-line @typescript-eslint/no-unsafe-member-access
                        metric.values.slice(startIndex, startIndex + Constants_1.Constants.MAX_VALUES_PER_METRIC);
                // eslint-disable-next-line @typescript-eslint/no-unsafe-member-access
                currentBody[metricProgress.name] = metricValue;
                const metricBody = Object.assign({ Name: metricProgress.name, Unit: metric.unit }, (metric.storageResolution == StorageResolution_1.StorageResolution.High ? { StorageResolution: StorageResolution_1.StorageResolution.High } : {}));
                // eslint-disable-next-line
                currentBody._aws.CloudWatchMetrics[0].Metrics.push(metricBody);
                metricProgress.numLeft -= Constants_1.Constants.MAX_VALUES_PER_METRIC;
                if (metricProgress.numLeft > 0) {
                    processedMetrics.push(metricProgress);
                }
                if (hasMaxMetrics() || remainingMetrics.isEmpty()) {
                    serializeCurrentBody();
                    // inserts these metrics back in the heap to be processed in the next iteration.
                    processedMetrics.forEach((processingMetric) => remainingMetrics.insert(processingMetric));
                    processedMetrics = [];
                }
            }
        }
        if (eventBatches.length === 0 || currentMetricsInBody() > 0) {
            serializeCurrentBody();
        }
        return eventBatches;
    }
}
exports.LogSerializer = LogSerializer;


/***/ }),

/***/ 595:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.AgentSink = void 0;
const url = __nccwpck_require__(16);
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const LogSerializer_1 = __nccwpck_require__(258);
const Logger_1 = __nccwpck_require__(882);
const TcpClient_1 = __nccwpck_require__(219);
const UdpClient_1 = __nccwpck_require__(71);
const TCP = 'tcp:';
const UDP = 'udp:';
const defaultTcpEndpoint = {
    host: '0.0.0.0',
    port: 25888,
    protocol: TCP,
};
const parseEndpoint = (endpoint) => {
    try {
        if (!endpoint) {
            return defaultTcpEndpoint;
        }
        const parsedUrl = url.parse(endpoint);
        if (!parsedUrl.hostname || !parsedUrl.port || !parsedUrl.protocol) {
            (0, Logger_1.LOG)(`Failed to parse the provided agent endpoint. Falling back to the default TCP endpoint.`, parsedUrl);
            return defaultTcpEndpoint;
        }
        if (parsedUrl.protocol !== TCP && parsedUrl.protocol !== UDP) {
            (0, Logger_1.LOG)(`The provided agent endpoint protocol '${parsedUrl.protocol}' is not supported. Please use TCP or UDP. Falling back to the default TCP endpoint.`, parsedUrl);
            return defaultTcpEndpoint;
        }
        return {
            host: parsedUrl.hostname,
            port: Number(parsedUrl.port),
            protocol: parsedUrl.protocol,
        };
    }
    catch (e) {
        (0, Logger_1.LOG)('Failed to parse the provided agent endpoint', e);
        return defaultTcpEndpoint;
    }
};
/**
 * A sink that flushes to the CW Agent.
 * This sink instance should be re-used to avoid
 * leaking connections.
 */
class AgentSink {
    constructor(logGroupName, logStreamName, serializer) {
        this.name = 'AgentSink';
        this.logGroupName = logGroupName;
        this.logStreamName = logStreamName;
        this.serializer = serializer || new LogSerializer_1.LogSerializer();
        this.endpoint = parseEndpoint(Configuration_1.default.agentEndpoint);
        this.socketClient = this.getSocketClient(this.endpoint);
        (0, Logger_1.LOG)('Using socket client', this.socketClient.constructor.name);
    }
    accept(context) {
        return __awaiter(this, void 0, void 0, function* () {
            if (this.logGroupName) {
                context.meta.LogGroupName = this.logGroupName;
            }
            if (this.logStreamName) {
                context.meta.LogStreamName = this.logStreamName;
            }
            const events = this.serializer.serialize(context);
            (0, Logger_1.LOG)(`Sending {} events to socket.`, events.length);
            for (let index = 0; index < events.length; index++) {
                const event = events[index];
                const message = event + '\n';
                const bytes = Buffer.from(message);
                yield this.socketClient.sendMessage(bytes);
            }
        });
    }
    getSocketClient(endpoint) {
        (0, Logger_1.LOG)('Getting socket client for connection.', endpoint);
        const client = endpoint.protocol === TCP ? new TcpClient_1.TcpClient(endpoint) : new UdpClient_1.UdpClient(endpoint);
        // eslint-disable-next-line @typescript-eslint/no-floating-promises
        client.warmup();
        return client;
    }
}
exports.AgentSink = AgentSink;


/***/ }),

/***/ 39:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.ConsoleSink = void 0;
const console_1 = __nccwpck_require__(236);
const LogSerializer_1 = __nccwpck_require__(258);
/**
 * A sink that flushes log data to stdout.
 * This is the preferred sink for Lambda functions.
 */
class ConsoleSink {
    constructor(serializer) {
        this.name = 'ConsoleSink';
        this.serializer = serializer || new LogSerializer_1.LogSerializer();
        // To avoid escaping EMF when using Lambda JSON log format we need to use Console() instead of console
        this.console =
            process.env[ConsoleSink.AWS_LAMBDA_LOG_FORMAT] === 'JSON' ? new console_1.Console(process.stdout, process.stderr) : console;
    }
    accept(context) {
        // tslint:disable-next-line
        const events = this.serializer.serialize(context);
        events.forEach((event) => this.console.log(event));
        return Promise.resolve();
    }
}
exports.ConsoleSink = ConsoleSink;
ConsoleSink.AWS_LAMBDA_LOG_FORMAT = 'AWS_LAMBDA_LOG_FORMAT';


/***/ }),

/***/ 219:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.TcpClient = void 0;
const net = __nccwpck_require__(278);
const Logger_1 = __nccwpck_require__(882);
class TcpClient {
    constructor(endpoint) {
        this.endpoint = endpoint;
        this.socket = new net.Socket({ allowHalfOpen: true })
            .setEncoding('utf8')
            .setKeepAlive(true)
            .setTimeout(5000) // idle timeout
            .on('timeout', () => this.disconnect('idle timeout'))
            .on('end', () => this.disconnect('end'))
            .on('data', data => (0, Logger_1.LOG)('TcpClient received data.', data));
        // Used to create an initial connection on the socket right after creation to avoid socket failures.
        // eslint-disable-next-line @typescript-eslint/no-floating-promises
        this.initialConnect.apply(this);
    }
    initialConnect() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => {
                this.socket.connect(this.endpoint.port, this.endpoint.host, (err) => {
                    if (err)
                        reject(err);
                    else
                        resolve();
                });
            });
        });
    }
    warmup() {
        return __awaiter(this, void 0, void 0, function* () {
            try {
                yield this.establishConnection();
            }
            catch (err) {
                (0, Logger_1.LOG)('Failed to connect', err);
            }
        });
    }
    sendMessage(message) {
        return __awaiter(this, void 0, void 0, function* () {
            // ensure the socket is open and writable
            yield this.waitForOpenConnection();
            yield new Promise((resolve, reject) => {
                const onSendError = (err) => {
                    (0, Logger_1.LOG)('Failed to write', err);
                    reject(err);
                };
                const wasFlushedToKernel = this.socket.write(message, (err) => {
                    if (!err) {
                        (0, Logger_1.LOG)('Write succeeded');
                        resolve();
                    }
                    else {
                        onSendError(err);
                    }
                });
                if (!wasFlushedToKernel) {
                    (0, Logger_1.LOG)('TcpClient data was not flushed to kernel buffer and was queued in memory.');
                }
            });
        });
    }
    disconnect(eventName) {
        (0, Logger_1.LOG)('TcpClient disconnected due to:', eventName);
        this.socket.removeAllListeners();
        this.socket.destroy();
        this.socket.unref();
    }
    waitForOpenConnection() {
        return __awaiter(this, void 0, void 0, function* () {
            if (!this.socket.writable || this.socket.readyState !== 'open') {
                yield this.establishConnection();
            }
        });
    }
    establishConnection() {
        return __awaiter(this, void 0, void 0, function* () {
            yield new Promise((resolve, reject) => {
                const onError = (e) => {
                    // socket is already open, no need to connect
                    if (e.message.includes('EISCONN')) {
                        resolve();
                        return;
                    }
                    (0, Logger_1.LOG)('TCP Client received error', e);
                    this.disconnect(e.message);
                    reject(e);
                };
                const onConnect = () => {
                    this.socket.removeListener('error', onError);
                    (0, Logger_1.LOG)('TcpClient connected.', this.endpoint);
                    resolve();
                };
                // TODO: convert this to a proper state machine
                switch (this.socket.readyState) {
                    case 'open':
                        resolve();
                        break;
                    case 'opening':
                        // the socket is currently opening, we will resolve
                        // or fail the current promise on the connect or
                        // error events
                        this.socket.once('connect', onConnect);
                        this.socket.once('error', onError);
                        break;
                    default:
                        (0, Logger_1.LOG)('opening connection with socket in state: ', this.socket.readyState);
                        this.socket.connect(this.endpoint.port, this.endpoint.host, onConnect).once('error', onError);
                        break;
                }
            });
        });
    }
}
exports.TcpClient = TcpClient;


/***/ }),

/***/ 71:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.UdpClient = void 0;
const dgram = __nccwpck_require__(194);
const Logger_1 = __nccwpck_require__(882);
class UdpClient {
    constructor(endpoint) {
        this.endpoint = endpoint;
    }
    // No warm up for UDP
    warmup() {
        return Promise.resolve();
    }
    sendMessage(message) {
        return __awaiter(this, void 0, void 0, function* () {
            const client = dgram.createSocket('udp4');
            client.send(message, this.endpoint.port, this.endpoint.host, (error) => {
                if (error) {
                    (0, Logger_1.LOG)(error);
                }
                client.close();
            });
            return Promise.resolve();
        });
    }
}
exports.UdpClient = UdpClient;


/***/ }),

/***/ 796:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.fetchString = exports.fetchJSON = exports.fetch = void 0;
const http_1 = __nccwpck_require__(611);
const SOCKET_TIMEOUT = 1000;
/**
 * Fetch data from a remote HTTP endpoint with the provided headers.
 *
 * @param options - HTTP request options
 */
const fetch = (options) => {
    return new Promise((resolve, reject) => {
        const request = (0, http_1.request)(options, (response) => {
            if (!response.statusCode) {
                reject(`Received undefined response status code from '${options.host || 'unknown'}/${options.path || 'unknown'}'`);
                return;
            }
            if (response.statusCode < 200 || response.statusCode > 299) {
                reject(new Error(`Failed to load page, status code: ${response.statusCode}`));
                return;
            }
            // using similar approach to node-fetch
            // https://github.com/bitinn/node-fetch/blob/6a5d192034a0f438551dffb6d2d8df2c00921d16/src/body.js#L217
            const body = [];
            let bodyBytes = 0;
            response.on('data', (chunk) => {
                bodyBytes += chunk.length;
                body.push(chunk);
            });
            response.on('end', () => {
                const buffer = Buffer.concat(body, bodyBytes);
                resolve(buffer);
            });
        }).on('error', (err) => {
            reject(err);
        });
        request.on('socket', socket => {
            socket.on('timeout', () => {
                request.abort();
                reject(`Socket timeout while connecting to '${options.host || 'unknown'}/${options.path || 'unknown'}'`);
            });
            socket.setTimeout(SOCKET_TIMEOUT);
        });
        request.end();
    });
};
exports.fetch = fetch;
/**
 * Fetch a string from a remote HTTP endpoint with the provided headers.
 *
 * @param options - HTTP request options
 */
const fetchString = (options) => __awaiter(void 0, void 0, void 0, function* () {
    const buffer = yield fetch(options);
    return buffer.toString();
});
exports.fetchString = fetchString;
/**
 * Fetch JSON data from a remote HTTP endpoint with the provided headers and de-serialize to the provided type.
 * There are no guarantees the response will conform to the contract defined by T.
 * It is up to the consumer to ensure the provided T captures all possible response types
 * from the provided endpoint.
 *
 * @param options - HTTP request options
 */
const fetchJSON = (options) => __awaiter(void 0, void 0, void 0, function* () {
    const responseString = yield fetchString(options);
    return JSON.parse(responseString);
});
exports.fetchJSON = fetchJSON;


/***/ }),

/***/ 882:
/***/ (function(__unused_webpack_module, exports, __nccwpck_require__) {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.LOG = void 0;
const Configuration_1 = __importDefault(__nccwpck_require__(631));
const LOG = (...args) => {
    if (Configuration_1.default.debuggingLoggingEnabled) {
        console.log(...args);
    }
};
exports.LOG = LOG;


/***/ }),

/***/ 206:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


/*
 * Copyright 2019 Amazon.com, Inc. or its affiliates.
 * Licensed under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.validateTimestamp = exports.validateNamespace = exports.validateMetric = exports.validateDimensionSet = void 0;
const Constants_1 = __nccwpck_require__(59);
const Unit_1 = __nccwpck_require__(629);
const StorageResolution_1 = __nccwpck_require__(908);
const DimensionSetExceededError_1 = __nccwpck_require__(276);
const InvalidDimensionError_1 = __nccwpck_require__(560);
const InvalidMetricError_1 = __nccwpck_require__(798);
const InvalidNamespaceError_1 = __nccwpck_require__(873);
const InvalidTimestampError_1 = __nccwpck_require__(728);
/**
 * Validates dimension set.
 * @see [CloudWatch Dimensions](https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html)
 *
 * @param dimensionSet
 * @throws {DimensionSetExceededError} Dimension set must not exceed 30 dimensions.
 * @throws {InvalidDimensionError} Dimension name and value must be valid.
 */
const validateDimensionSet = (dimensionSet) => {
    // Validates dimension set length
    if (Object.keys(dimensionSet).length > Constants_1.Constants.MAX_DIMENSION_SET_SIZE)
        throw new DimensionSetExceededError_1.DimensionSetExceededError(`Maximum number of dimensions per dimension set allowed are ${Constants_1.Constants.MAX_DIMENSION_SET_SIZE}`);
    // Validate dimension key and value
    Object.entries(dimensionSet).forEach(([key, value]) => {
        dimensionSet[key] = value = String(value);
        if (!new RegExp(Constants_1.Constants.VALID_DIMENSION_REGEX).test(key)) {
            throw new InvalidDimensionError_1.InvalidDimensionError(`Dimension key ${key} has invalid characters`);
        }
        if (!new RegExp(Constants_1.Constants.VALID_DIMENSION_REGEX).test(value)) {
            throw new InvalidDimensionError_1.InvalidDimensionError(`Dimension value ${value} has invalid characters`);
        }
        if (key.trim().length == 0) {
            throw new InvalidDimensionError_1.InvalidDimensionError(`Dimension key ${key} must include at least one non-whitespace character`);
        }
        if (value.trim().length == 0) {
            throw new InvalidDimensionError_1.InvalidDimensionError(`Dimension value ${value} must include at least one non-whitespace character`);
        }
        if (key.length > Constants_1.Constants.MAX_DIMENSION_NAME_LENGTH) {
            throw new InvalidDimensionError_1.InvalidDimensionError(`Dimension key ${key} must not exceed maximum length ${Constants_1.Constants.MAX_DIMENSION_NAME_LENGTH}`);
        }
        if (value.length > Constants_1.Constants.MAX_DIMENSION_VALUE_LENGTH) {
            throw new InvalidDimensionError_1.InvalidDimensionError(`Dimension value ${value} must not exceed maximum length ${Constants_1.Constants.MAX_DIMENSION_VALUE_LENGTH}`);
        }
        if (key.startsWith(':')) {
            throw new InvalidDimensionError_1.InvalidDimensionError(`Dimension key ${key} cannot start with ':'`);
        }
    });
};
exports.validateDimensionSet = validateDimensionSet;
/**
 * Validates metric.
 * @see [CloudWatch Metric](https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html)
 *
 * @param key
 * @param value
 * @param unit
 * @param storageResolution
 *
 * @throws {InvalidMetricError} Metric name must be valid.
 */
const validateMetric = (key, value, unit, storageResolution, metricNameAndResolutionMap) => {
    if (key.trim().length == 0) {
        throw new InvalidMetricError_1.InvalidMetricError(`Metric key ${key} must include at least one non-whitespace character`);
    }
    if (key.length > Constants_1.Constants.MAX_METRIC_NAME_LENGTH) {
        throw new InvalidMetricError_1.InvalidMetricError(`Metric key ${key} must not exceed maximum length ${Constants_1.Constants.MAX_METRIC_NAME_LENGTH}`);
    }
    if (!Number.isFinite(value)) {
        throw new InvalidMetricError_1.InvalidMetricError(`Metric value ${value} is not a number`);
    }
    if (value > Number.MAX_SAFE_INTEGER) {
        throw new InvalidMetricError_1.InvalidMetricError(`Metric value ${value} must not exceed maximum value ${Number.MAX_SAFE_INTEGER}}`);
    }
    if (value < -Number.MAX_SAFE_INTEGER) {
        throw new InvalidMetricError_1.InvalidMetricError(`Metric value ${value} must not be less than minimum value ${-Number.MAX_SAFE_INTEGER}`);
    }
    if (unit !== undefined &&
        !Object.values(Unit_1.Unit)
            .map((u) => String(u))
            .includes(unit)) {
        throw new InvalidMetricError_1.InvalidMetricError(`Metric unit ${unit} is not valid`);
    }
    if (storageResolution !== undefined &&
        !Object.values(StorageResolution_1.StorageResolution)
            .map((s) => s)
            .includes(storageResolution)) {
        throw new InvalidMetricError_1.InvalidMetricError(`Metric resolution ${storageResolution} is not valid`);
    }
    if ((metricNameAndResolutionMap === null || metricNameAndResolutionMap === void 0 ? void 0 : metricNameAndResolutionMap.has(key)) &&
        metricNameAndResolutionMap.get(key) !== (storageResolution ? storageResolution : StorageResolution_1.StorageResolution.Standard)) {
        throw new InvalidMetricError_1.InvalidMetricError(`Resolution for metrics ${key} is already set. A single log event cannot have a metric with two different resolutions.`);
    }
};
exports.validateMetric = validateMetric;
/**
 * Validates metric namespace.
 * @see [CloudWatch Namespace](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace)
 *
 * @param namespace
 * @throws {InvalidNamespaceError} Namespace must be of valid length.
 */
const validateNamespace = (namespace) => {
    if (namespace.trim().length == 0) {
        throw new InvalidNamespaceError_1.InvalidNamespaceError(`Namespace must include at least one non-whitespace character`);
    }
    if (namespace.length > Constants_1.Constants.MAX_NAMESPACE_LENGTH) {
        throw new InvalidNamespaceError_1.InvalidNamespaceError(`Namespace must not exceed maximum length ${Constants_1.Constants.MAX_NAMESPACE_LENGTH}`);
    }
    if (!new RegExp(Constants_1.Constants.VALID_NAMESPACE_REGEX).test(namespace)) {
        throw new InvalidNamespaceError_1.InvalidNamespaceError(`Namespace ${namespace} has invalid characters`);
    }
};
exports.validateNamespace = validateNamespace;
/**
 * Validates timestamp.
 * @see [CloudWatch Timestamp](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#about_timestamp)
 *
 * @param timestamp
 */
const validateTimestamp = (timestamp) => {
    if (!isDate(timestamp)) {
        throw new InvalidTimestampError_1.InvalidTimestampError(`Timestamp ${String(timestamp)} is invalid`);
    }
    timestamp = new Date(timestamp);
    if (timestamp < new Date(Date.now() - Constants_1.Constants.MAX_TIMESTAMP_PAST_AGE)) {
        throw new InvalidTimestampError_1.InvalidTimestampError(`Timestamp ${String(timestamp)} must not be older than ${Constants_1.Constants.MAX_TIMESTAMP_PAST_AGE} milliseconds`);
    }
    if (timestamp > new Date(Date.now() + Constants_1.Constants.MAX_TIMESTAMP_FUTURE_AGE)) {
        throw new InvalidTimestampError_1.InvalidTimestampError(`Timestamp ${String(timestamp)} must not be newer than ${Constants_1.Constants.MAX_TIMESTAMP_FUTURE_AGE} milliseconds`);
    }
};
exports.validateTimestamp = validateTimestamp;
const isDate = (timestamp) => {
    return (timestamp instanceof Date && !isNaN(new Date(timestamp).getTime())) || new Date(timestamp).getTime() > 0;
};


/***/ }),

/***/ 236:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("console");

/***/ }),

/***/ 194:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("dgram");

/***/ }),

/***/ 611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 16:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  R: () => (/* binding */ handler)
});

;// CONCATENATED MODULE: ./lib/aws/pages.ts
// The SDK's paginators, bounded: a listing that never ends (a bug, a service that keeps
// answering with a token) stops after `max` pages instead of looping.
async function* firstPages(pages, max) {
    let n = 0;
    for await (const page of pages) {
        yield page;
        if (++n >= max)
            return;
    }
}

;// CONCATENATED MODULE: ./lib/names.ts
// Every AWS-side name and tag natfleet uses comes from here (environment + zone), grouped by
// what they name. Names are `natfleet-<env>-…` (join); paths are `/natfleet/<env>/…`.
const PREFIX = 'natfleet';
const STACKS = (/* unused pure expression or super */ null && ([
    'access',
    'artifacts',
    'image',
    'gateway',
    'fleet',
    'checker',
    'workflows',
]));
/** Stacks deployed only when named in the stacks filter: the access stack is an administrator's. */
const ON_REQUEST_STACKS = (/* unused pure expression or super */ null && (['access']));
const WORKFLOWS = (/* unused pure expression or super */ null && (['Failover', 'Fallback', 'ReplaceInstances', 'Maintenance']));
const ROLES = (/* unused pure expression or super */ null && ([
    'access',
    'artifacts',
    'image',
    'standby-gateway',
    'nat-instance',
    'checker',
    'workflow',
]));
const join = (...parts) => [PREFIX, ...parts].join('-');
// ── tags ───────────────────────────────────────────────────────────────────────────────────
const TAG = {
    environment: `${PREFIX}:environment`,
    zone: `${PREFIX}:zone`,
    role: `${PREFIX}:role`,
};
/** The tags every natfleet resource carries; zonal resources name their zone. */
function tags(env, role, zone, name) {
    const out = [
        { Key: TAG.environment, Value: env },
        { Key: TAG.role, Value: role },
    ];
    if (zone)
        out.push({ Key: TAG.zone, Value: zone });
    if (name)
        out.push({ Key: 'Name', Value: name });
    return out;
}
// ── stacks ─────────────────────────────────────────────────────────────────────────────────
const stackName = (env, kind) => join(env, kind);
/** What every named resource of an environment starts with: natfleet-<env>-. */
const envPrefix = (env) => `${join(env)}-`;
// ── artifacts bucket and what is in it ─────────────────────────────────────────────────────
/** Bucket names are global: account and region make them unique (at most 63 characters). */
const artifactsBucket = (env, accountId, region) => join(env, 'artifacts', accountId, region);
/** Where the checker's code zip lives in the artifacts bucket: its content hash. */
const CHECKER_PREFIX = 'checker/';
const checkerCodeKey = (sha256) => `${CHECKER_PREFIX}${sha256}.zip`;
/** The stand-in code key of a plan made without the checker's bundle; never uploaded. */
const UNBUILT_CODE_KEY = 'checker/unbuilt.zip';
/**
 * Templates too large to send inline go to the artifacts bucket under their hash, plan's and
 * apply's under prefixes of their own: only the deploy role may write apply's (the bucket
 * policy), and apply never reads plan's.
 */
const TEMPLATE_PREFIX = { plan: 'plan/templates/', apply: 'apply/templates/' };
const templateKey = (mode, stack, sha256) => `${TEMPLATE_PREFIX[mode]}${stack}/${sha256}.json`;
// ── access stack: the GitHub OIDC roles and the CloudFormation service role ────────────────
const ACCESS_ROLES = (/* unused pure expression or super */ null && (['plan', 'deploy', 'operate', 'cloudformation']));
const accessRoleName = (env, role) => join(env, role);
const accessRoleArn = (accountId, env, role, partition = 'aws') => `arn:${partition}:iam::${accountId}:role/${accessRoleName(env, role)}`;
/** Change sets are named by mode, so a role's policy can name the ones it may touch. */
const changeSetPrefix = (mode) => `${PREFIX}-${mode}-`;
// ── image ──────────────────────────────────────────────────────────────────────────────────
const amiParameter = (env) => `/${PREFIX}/${env}/ami`;
const imagePipelineName = (env) => join(env, 'image');
const imageComponentName = (env, component) => join(env, component);
/** The image stack's other parts: recipe, infrastructure, distribution, lifecycle, ami. */
const imageResourceName = (env, part) => join(env, 'image', part);
// ── gateway and fleet ──────────────────────────────────────────────────────────────────────
const gatewayName = (env, zone) => zone ? join(env, 'standby', zone) : join(env, 'standby');
const instanceName = (env, zone) => join(env, 'nat', zone);
const instanceRoleName = (env) => join(env, 'nat-instance');
const instanceProfileName = (env) => join(env, 'nat-instance');
const launchTemplateName = (env) => join(env, 'nat-instance');
const securityGroupName = (env, role) => join(env, role);
const eipName = (env, zone) => join(env, 'nat', zone, 'eip');
// ── checker: function, schedule, alarms, metrics ───────────────────────────────────────────
const checkerFunctionName = (env, zone) => join(env, 'checker', zone);
/** Lambda writes to /aws/lambda/<function>; the stack owns that group to set its retention. */
const checkerLogGroup = (env, zone) => `/aws/lambda/${checkerFunctionName(env, zone)}`;
const checkerRoleName = (env) => join(env, 'checker');
const checkerRuleName = (env, zone) => join(env, 'checker', zone);
const alarmRoleName = (env) => join(env, 'alarm-failover');
const alarmName = (env, zone, kind) => join(env, zone, kind);
const alarmRuleName = (env, zone) => join(env, 'alarm-failover', zone);
/** The checker's CloudWatch metric names (the checker emits them, the alarms read them). */
const METRIC_NAMES = {
    /** 1 for a probe that got an HTTP answer, 0 for one that did not (Url is a property). */
    probeSuccess: 'ProbeSuccess',
    probeLatency: 'ProbeLatency',
    /** 1 per failed round, 0 per good one. */
    failedRounds: 'FailedRounds',
    failoversStarted: 'FailoversStarted',
    /** 1 while the zone's routes use its NAT instance, 0 while they use its gateway. */
    onInstance: 'OnInstance',
};
/** Namespace, dimensions and names of the checker's metrics. */
const METRICS = {
    namespace: PREFIX,
    dimensions: { environment: 'Environment', zone: 'Zone' },
    ...METRIC_NAMES,
};
// ── state machines: names, ARNs, logs ──────────────────────────────────────────────────────
const stateMachineName = (env, wf) => join(env, wf);
const stateMachineLogGroup = (env, wf) => `/${PREFIX}/${env}/states/${wf}`;
const SUB_PLACE = {
    partition: '${AWS::Partition}',
    region: '${AWS::Region}',
    accountId: '${AWS::AccountId}',
};
/** The one ARN builder: arn:<partition>:<service>:<region>:<account>:<resource>. */
const arn = (p, service, resource) => `arn:${p.partition}:${service}:${p.region}:${p.accountId}:${resource}`;
/** ARN of a state machine by its name, so a stack need not import the workflows stack. */
const stateMachineArnSub = (env, wf) => arn(SUB_PLACE, 'states', `stateMachine:${stateMachineName(env, wf)}`);
/** The ARN of an environment's state machine, for starting it and for its own IAM policies. */
const stateMachineArn = (region, accountId, env, wf, partition = 'aws') => arn({ partition, region, accountId }, 'states', `stateMachine:${stateMachineName(env, wf)}`);
// ── execution names ────────────────────────────────────────────────────────────────────────
// Step Functions execution names: 1–80 characters, no whitespace, no < > { } [ ] ? * " # % \ ^ |
// ~ ` $ & , ; : / and no control characters. Keeping to letters, digits, '.', '_' and '-' is safe.
const EXECUTION_NAME_MAX = 80;
const executionSafe = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-');
/** The one timestamp of names: UTC to the second, no separators (20261123T084000Z). */
const compactTime = (at) => at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
/**
 * Checker execution names made from the zone, the start of a time bucket and a generation:
 * checkers that see the same outage in the same bucket ask for the same names in the same
 * order, so only one execution starts. Generation 0 has no suffix; a later generation is asked
 * for only when the earlier ones are closed and did not hold (ADR 0095).
 */
const bucketExecutionName = (verb, zone, bucketStart, generation = 0) => {
    if (!/^[a-z0-9-]{1,40}$/.test(zone))
        throw new Error(`not a zone name: ${JSON.stringify(zone)}`);
    if (!Number.isInteger(generation) || generation < 0 || generation > 99) {
        throw new Error(`not a generation (0 to 99): ${generation}`);
    }
    const base = `${PREFIX}-${verb}-${zone}-${compactTime(bucketStart)}`;
    return generation === 0 ? base : `${base}-g${generation}`;
};
const failoverExecutionName = (zone, bucketStart, generation = 0) => bucketExecutionName('failover', zone, bucketStart, generation);
const fallbackExecutionName = (zone, bucketStart, generation = 0) => bucketExecutionName('fallback', zone, bucketStart, generation);
/**
 * An operator's or a GitHub run's execution name: workflow, where it came from (cli, a run id),
 * the time to the second and a short random tail so two starts in one second both run.
 */
function executionName(workflow, origin, at) {
    const tail = Math.random().toString(36).slice(2, 6);
    const head = executionSafe(`${workflow}-${origin}`).slice(0, EXECUTION_NAME_MAX - 23);
    return `${head}-${compactTime(at)}-${tail}`;
}
// ── GitOps record and pull requests ────────────────────────────────────────────────────────
const stateBranch = (env) => `${PREFIX}/state/${env}`;
const stateFile = (env) => `state/${env}.json`;
/** The hidden marker that finds an environment's plan comment on a pull request. */
const planCommentMarker = (env) => `<!-- ${PREFIX}-plan:${env} -->`;

;// CONCATENATED MODULE: ./lib/routes.ts
const DEFAULT_ROUTE = '0.0.0.0/0';
/** The fields of EC2's Route the rule reads, and where ObservedRoute keeps them. */
const ROUTE_FIELDS = {
    NatGatewayId: 'natGatewayId',
    NetworkInterfaceId: 'networkInterfaceId',
    InstanceId: 'instanceId',
};
/** A route's State that never carries traffic: such a route is replaced, never "already right". */
const BLACKHOLE = 'blackhole';
const ROUTE_RULE = {
    gateway: {
        write: { route: 'NatGatewayId', target: 'natGatewayId' },
        match: [{ route: 'NatGatewayId', target: 'natGatewayId' }],
    },
    instance: {
        write: { route: 'NetworkInterfaceId', target: 'eniId' },
        match: [
            { route: 'NetworkInterfaceId', target: 'eniId' },
            // EC2 may report a route to an instance by its instance id alone (moto always does); with
            // an interface reported, the interface decides.
            { route: 'InstanceId', target: 'instanceId', absent: 'NetworkInterfaceId' },
        ],
    },
};
function routeTarget(r) {
    if (!r)
        return 'none';
    const id = r.natGatewayId ?? r.networkInterfaceId ?? r.instanceId ?? r.otherTarget ?? '?';
    return r.state === BLACKHOLE ? `${id} (blackhole)` : id;
}
/** True when the route already sends traffic to the target (a blackholed route never does). */
function routeMatches(r, t) {
    if (!r || r.state === BLACKHOLE)
        return false;
    const value = (k) => t[k];
    return ROUTE_RULE[t.kind].match.some((c) => {
        const want = value(c.target);
        return (want !== undefined &&
            r[ROUTE_FIELDS[c.route]] === want &&
            (c.absent === undefined || r[ROUTE_FIELDS[c.absent]] === undefined));
    });
}

;// CONCATENATED MODULE: ./lib/aws/reads.ts


const tagOf = (tags, key) => tags?.find((t) => t.Key === key)?.Value;
function observedRoute(r) {
    if (!r)
        return undefined;
    return {
        ...(r.NatGatewayId ? { natGatewayId: r.NatGatewayId } : {}),
        ...(r.InstanceId ? { instanceId: r.InstanceId } : {}),
        ...(r.NetworkInterfaceId ? { networkInterfaceId: r.NetworkInterfaceId } : {}),
        ...(r.GatewayId || r.TransitGatewayId || r.VpcPeeringConnectionId
            ? { otherTarget: r.GatewayId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId }
            : {}),
        state: r.State === 'blackhole' ? 'blackhole' : 'active',
    };
}
/** The zone's newest running instance among the environment's NAT instances. */
const runningIn = (instances, zone) => instances.find((x) => tagOf(x.Tags, TAG.zone) === zone && x.State?.Name === 'running');
function fleetReads(ec2, c) {
    async function routeTables(ids) {
        if (ids.length === 0)
            return [];
        // Filtering (not RouteTableIds) so that a missing table is reported by the plan, not thrown.
        const out = await ec2.send(new c.DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: ids }] }));
        return (out.RouteTables ?? []).map((t) => {
            const route = observedRoute(t.Routes?.find((r) => r.DestinationCidrBlock === DEFAULT_ROUTE));
            return route
                ? { routeTableId: t.RouteTableId, defaultRoute: route }
                : { routeTableId: t.RouteTableId };
        });
    }
    /** The environment's NAT instances (not terminated), newest first per zone. */
    async function natInstances(env) {
        const out = await ec2.send(new c.DescribeInstancesCommand({
            Filters: [
                { Name: `tag:${TAG.environment}`, Values: [env] },
                { Name: `tag:${TAG.role}`, Values: ['nat-instance'] },
                { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
            ],
        }));
        const all = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
        return all.sort((a, b) => (b.LaunchTime?.getTime() ?? 0) - (a.LaunchTime?.getTime() ?? 0));
    }
    /** The instances whose instance and system status checks both pass. */
    async function statusOk(instances) {
        const ids = instances.map((i) => i.InstanceId).filter(Boolean);
        const statuses = ids.length
            ? await ec2.send(new c.DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }))
            : { InstanceStatuses: [] };
        return new Set((statuses.InstanceStatuses ?? [])
            .filter((s) => s.InstanceStatus?.Status === 'ok' && s.SystemStatus?.Status === 'ok')
            .map((s) => s.InstanceId));
    }
    /** A zone's running NAT instance, if any, and whether it is ready to carry traffic. */
    async function zoneInstance(env, zone) {
        const i = runningIn(await natInstances(env), zone);
        if (!i?.InstanceId)
            return undefined;
        const ok = await statusOk([i]);
        return { instanceId: i.InstanceId, ready: ok.has(i.InstanceId) && i.SourceDestCheck === false };
    }
    return { routeTables, natInstances, statusOk, zoneInstance };
}

;// CONCATENATED MODULE: ./lib/health.ts
// The health command a NAT instance runs on itself, defined once: the checker's auto-fallback
// sends it to decide when a zone may go back (lib/checker), and Fallback and ReplaceInstances
// send it before a zone's routes move to an instance (the path check, ADR 0150). It is plain
// AWS-RunShellScript, so the lab runs it unchanged in its namespaces.
/** Where the NAT image installs test-nat (the image's contract with the checker). */
const TEST_NAT = '/usr/local/bin/test-nat';
/** How long the instance may take (SSM's executionTimeout): test-nat and the first answering URL. */
const HEALTH_TIMEOUT_SECONDS = 30;
/** How long SSM may wait for an instance to pick a natfleet command up. */
const DELIVERY_SECONDS = 60;
/** The tail of test-nat's output kept on failure (the report carries it). */
const HEALTH_OUTPUT_BYTES = 600;
/**
 * The shell the instance runs: its own test-nat (forwarding, translation, rule backend,
 * resolver) with --before-traffic, as no route points at the instance yet (an unused
 * masquerade rule is expected, not judged), then the checker's URLs over IPv4 from the instance itself; any HTTP answer
 * counts, as in the checker. Exit status 0 only when test-nat passes and one URL answers. On
 * failure stderr says why in a few hundred bytes (test-nat's own tail, then the verdict).
 */
function healthCommands(urls, testNat = TEST_NAT) {
    const quoted = urls.map((u) => `'${u.replace(/'/g, `'\\''`)}'`).join(' ');
    return [
        'set -u',
        `out=$(${testNat} --before-traffic 2>&1) || { printf '%s\\n' "$out" | tail -c ${HEALTH_OUTPUT_BYTES} >&2; echo "test-nat failed" >&2; exit 1; }`,
        `for u in ${quoted}; do`,
        '  if curl -4 -sS -o /dev/null --max-time 5 "$u" 2>/dev/null; then echo "reachable: $u"; exit 0; fi',
        'done',
        'echo "no URL answered from the instance" >&2',
        'exit 1',
    ];
}
/** SendCommand's fixed part for the health command (the caller adds instance and comment). */
function healthRequest(urls) {
    return {
        DocumentName: 'AWS-RunShellScript',
        TimeoutSeconds: DELIVERY_SECONDS,
        Parameters: {
            commands: healthCommands(urls),
            executionTimeout: [String(HEALTH_TIMEOUT_SECONDS)],
        },
    };
}

;// CONCATENATED MODULE: ./lib/checker/fallback.ts
/** Results older than this do not count: the instance is not known to be healthy now. */
const MAX_SAMPLE_AGE_MS = 3 * 60_000;
/** A longer silence between two results breaks a healthy streak (e.g. while on the instance). */
const MAX_GAP_MS = 3 * 60_000;
/** How the checker marks its health commands, so that it reads back only its own. */
const HEALTH_COMMENT = 'natfleet health';
/** When the run of good results that ends with the latest one began, if it is still going. */
function healthySince(samples, now) {
    const byTime = [...samples].sort((a, b) => a.at - b.at);
    let i = byTime.length - 1;
    const last = byTime[i];
    if (!last || !last.ok || now - last.at > MAX_SAMPLE_AGE_MS)
        return undefined;
    while (i > 0) {
        const before = byTime[i - 1];
        if (!before.ok || byTime[i].at - before.at > MAX_GAP_MS)
            break;
        i--;
    }
    return byTime[i].at;
}
function fallbackDecision(f) {
    const no = (reason, runHealthCommand = false, since) => ({
        start: false,
        reason,
        runHealthCommand,
        ...(since !== undefined ? { healthySince: since } : {}),
    });
    if (!f.autoFallback)
        return no('auto-fallback is off');
    if (f.mode !== 'gateway') {
        return no(f.mode ? 'the zone is on its instance' : 'the zone mode is not known');
    }
    if (!f.instance)
        return no('the zone has no running NAT instance');
    if (!f.instance.ready) {
        return no(`instance ${f.instance.instanceId} is not ready (status checks, source/dest check)`);
    }
    const since = healthySince(f.samples, f.now);
    const wanted = f.healthyMinutes * 60_000;
    if (since === undefined) {
        return no(`instance ${f.instance.instanceId} has no recent good health result`, true);
    }
    const minutes = Math.floor((f.now - since) / 60_000);
    if (f.now - since < wanted) {
        return no(`instance ${f.instance.instanceId} healthy for ${minutes} of ${f.healthyMinutes} min`, true, since);
    }
    return {
        start: true,
        reason: `checker: instance ${f.instance.instanceId} healthy for ${minutes} min (≥ ${f.healthyMinutes})`,
        healthySince: since,
    };
}

;// CONCATENATED MODULE: ./lib/checker/mode.ts
/**
 * A zone is on its gateway when every one of its route tables sends 0.0.0.0/0 to a NAT
 * gateway. Anything else (an instance, a blackhole, no route) may still need a failover.
 */
function zoneMode(routeTables, observed) {
    const byId = new Map(observed.map((t) => [t.routeTableId, t.defaultRoute]));
    const onGateway = routeTables.every((id) => {
        const r = byId.get(id);
        return r?.state === 'active' && r.natGatewayId !== undefined;
    });
    return routeTables.length > 0 && onGateway ? 'gateway' : 'instance';
}

;// CONCATENATED MODULE: ./lib/checker/aws.ts
// The checker's AWS calls: the zone's route tables and instance (EC2), StartExecution (Step
// Functions), and for auto-fallback the instance's health commands (SSM). Through the SDK the
// handler loads on first use (lib/checker/sdk.ts): nothing here imports an SDK value.





async function readZoneMode(sdk, routeTables) {
    return zoneMode(routeTables, await fleetReads(sdk.ec2, sdk.commands).routeTables(routeTables));
}
/**
 * Starts an execution. A running one of the same name and input is "already-started"; a name
 * that is taken otherwise (the execution is closed, or its input differs) is "name-taken".
 */
async function startExecution(sdk, stateMachineArn, name, input) {
    const asked = Date.now();
    try {
        const out = await sdk.sfn.send(new sdk.commands.StartExecutionCommand({
            stateMachineArn,
            name,
            input: JSON.stringify(input),
        }));
        // AWS answers a repeat of a running execution's name and input with that execution: one
        // that began before this call was started by another invocation.
        const earlier = out.startDate && out.startDate.getTime() < asked - 1_000;
        return earlier ? 'already-started' : 'started';
    }
    catch (e) {
        if (e instanceof Error && e.name === 'ExecutionAlreadyExists')
            return 'name-taken';
        throw e;
    }
}
/**
 * The results of the checker's health commands on an instance since a moment. Each command
 * targets that one instance, so a command's status is its result there.
 */
async function healthSamples(sdk, instanceId, since) {
    const samples = [];
    const pages = sdk.commands.paginateListCommands({ client: sdk.ssm }, {
        InstanceId: instanceId,
        Filters: [{ key: 'InvokedAfter', value: since.toISOString() }],
        MaxResults: 50,
    });
    // Bounded: one command a minute for at most a day of history is under 30 pages.
    for await (const out of firstPages(pages, 30)) {
        for (const c of out.Commands ?? []) {
            const at = c.RequestedDateTime?.getTime();
            if (c.Comment !== HEALTH_COMMENT || at === undefined || at < since.getTime())
                continue;
            if (c.Status === 'Pending' || c.Status === 'InProgress')
                continue;
            samples.push({ at, ok: c.Status === 'Success' });
        }
    }
    return samples;
}
async function sendHealthCommand(sdk, instanceId, urls) {
    const out = await sdk.ssm.send(new sdk.commands.SendCommandCommand({
        ...healthRequest(urls),
        InstanceIds: [instanceId],
        Comment: HEALTH_COMMENT,
    }));
    return out.Command?.CommandId;
}
/** What auto-fallback needs to know, read from EC2 and SSM. */
function fallbackView(sdk, env, zone, urls) {
    return {
        async facts(healthyMinutes) {
            const instance = await fleetReads(sdk.ec2, sdk.commands).zoneInstance(env, zone);
            // Enough history to see a whole streak, and the silence before it.
            const since = new Date(Date.now() - healthyMinutes * 60_000 - MAX_GAP_MS - 60_000);
            const samples = instance ? await healthSamples(sdk, instance.instanceId, since) : [];
            return { ...(instance ? { instance } : {}), samples };
        },
        async runHealthCommand(instanceId) {
            await sendHealthCommand(sdk, instanceId, urls);
        },
    };
}

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
;// CONCATENATED MODULE: external "node:dns"
const external_node_dns_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");
;// CONCATENATED MODULE: ./lib/checker/probe.ts
// One probe: an HTTP request to a URL over IPv4. Any HTTP response, 4xx and 5xx included,
// proves that traffic leaves and comes back; only no answer at all is a failure.



const realClock = {
    now: () => Date.now(),
    sleep: (ms, signal) => new Promise((resolve) => {
        if (signal?.aborted)
            return resolve();
        const t = setTimeout(resolve, Math.max(0, ms));
        signal?.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
        }, { once: true });
    }),
};
const resolve4 = (host) => new Promise((ok, fail) => (0,external_node_dns_namespaceObject.lookup)(host, { family: 4 }, (e, address) => (e ? fail(e) : ok(address))));
/**
 * Name resolution beside the probe, not in front of it: the VPC's resolver is not behind the
 * NAT, so a slow or failing lookup says nothing about the NAT and must not fail a round. A
 * probe connects to the last address the resolver gave for its host at once and starts one
 * lookup (at most one per host at a time) that refreshes it; only a host never resolved
 * waits for its lookup.
 */
function cachedLookup(resolve = resolve4) {
    const known = new Map();
    const pending = new Map();
    const refresh = (host) => {
        let p = pending.get(host);
        if (!p) {
            p = resolve(host).then((a) => {
                known.set(host, a);
                return a;
            });
            const forget = () => pending.delete(host);
            p.then(forget, forget);
            pending.set(host, p);
        }
        return p;
    };
    return (host, options, callback) => {
        const answer = (address) => options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);
        const last = known.get(host);
        const fresh = refresh(host);
        if (last !== undefined) {
            fresh.catch(() => undefined);
            return answer(last);
        }
        fresh.then(answer, (e) => callback(e, '', 4));
    };
}
const lookup = cachedLookup();
/** Starts resolving the URLs' host names (at INIT, beside the SDK load); never rejects. */
function warmNames(urls) {
    for (const u of urls) {
        const host = new URL(u).hostname;
        if (/^[\d.]+$/.test(host))
            continue;
        lookup(host, { family: 4 }, () => undefined);
    }
}
/**
 * The real request: HEAD over IPv4 on a fresh connection (no keep-alive, so every probe
 * proves a new flow through the NAT, handshake included); the address from cachedLookup.
 */
const httpGet = (url, signal) => new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? external_node_https_namespaceObject.request : external_node_http_namespaceObject.request;
    const req = send(u, {
        method: 'HEAD',
        family: 4,
        agent: false,
        lookup,
        signal,
        headers: { 'user-agent': 'natfleet-checker' },
    }, (res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.destroy();
    });
    req.on('error', reject);
    req.end();
});
async function probeUrl(get, clock, url, timeoutMs) {
    const started = clock.now();
    const abort = new AbortController();
    const timer = new AbortController();
    const timedOut = clock.sleep(timeoutMs, timer.signal).then(() => 'timeout');
    try {
        const answer = await Promise.race([get(url, abort.signal), timedOut]);
        const ms = clock.now() - started;
        if (answer === 'timeout')
            return { url, ok: false, error: `no answer in ${timeoutMs} ms`, ms };
        return { url, ok: true, status: answer.status, ms };
    }
    catch (e) {
        return { url, ok: false, error: errorText(e), ms: clock.now() - started };
    }
    finally {
        timer.abort();
        abort.abort();
    }
}
function errorText(e) {
    if (e instanceof Error) {
        const code = e.code;
        return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
    }
    return String(e);
}

;// CONCATENATED MODULE: ./lib/defaults.ts
// Sizing facts shared by the stacks, the checker and the cost estimate.
const CHECKER_MEMORY_MB = 128;
/**
 * The checker probes for this long per one-minute invocation: past the next invocation's start,
 * so that the two overlap and no moment of the minute goes unprobed (ADR 0096).
 */
const defaults_CHECKER_PROBE_SECONDS = 64;
/** The Lambda timeout: the probing, the reserve for the failover call and the cold start. */
const CHECKER_TIMEOUT_SECONDS = 70;
/** Two invocations of a zone's checker overlap for a few seconds every minute. */
const CHECKER_CONCURRENCY = 2;
/**
 * Failed rounds in a minute that trip the failed-rounds alarm (the second path to Failover):
 * half the minute's rounds, and never fewer than the threshold. Scattered failures (a
 * flapping site, a slow resolver) stay below it at a one-second rhythm; a dead NAT fails
 * every round.
 */
const alarmFailedRounds = (intervalSeconds, threshold) => Math.max(threshold, Math.ceil(Math.floor(60 / intervalSeconds) / 2));
/** ProbeSuccess (1/0), ProbeLatency, FailedRounds, FailoversStarted, OnInstance (lib/checker/metrics.ts). */
const CHECKER_METRICS_PER_ZONE = 5;
const CHECKER_INVOCATIONS_PER_MONTH = (/* unused pure expression or super */ null && (60 * 730));
/**
 * The checker's log volume per round: one JSON round line and one EMF document (all of the
 * round's probes in one, lib/checker/metrics.ts), bytes with two URLs as measured from the
 * real lines (test/unit/checker-metrics.test.ts keeps these true); plus per invocation the
 * Lambda's START/END/REPORT lines, the mode document and the summary line.
 */
const CHECKER_LOG = {
    linesPerRound: 2,
    bytesPerRound: 780,
    bytesPerInvocation: 900,
};
/** Lambda runtime and architecture of the checker (Node.js 22 or newer, Graviton). */
const CHECKER_RUNTIME = 'nodejs22.x';
const CHECKER_LOG_RETENTION_DAYS = 30;
/** A zone still on its standby gateway after this long alerts the operator. */
const ON_GATEWAY_ALARM_MINUTES = 60;
/** Longest `reason` a workflow run takes: one constant for the CLI, the action and the checker. */
const REASON_MAX_LENGTH = 200;

;// CONCATENATED MODULE: ./lib/checker/invocation.ts




/** Executions started within one bucket share a name, so only the first one starts. */
const EXECUTION_BUCKET_MS = 5 * 60_000;
/** Time kept back from the Lambda's remaining time for the failover call and the last logs. */
const RESERVE_MS = 4_000;
const bucketStart = (ms) => new Date(Math.floor(ms / EXECUTION_BUCKET_MS) * EXECUTION_BUCKET_MS);
/** Names asked for in one bucket at most: each one needs a whole outage and its undoing. */
const MAX_GENERATIONS = 8;
const safe = async (p, log, what) => {
    try {
        await p;
    }
    catch (e) {
        log({ type: 'warning', what, error: e instanceof Error ? e.message : String(e) });
    }
};
async function runInvocation(s, deps, remainingMs) {
    const { clock, log, metrics } = deps;
    const t0 = clock.now();
    const budget = Math.min(s.probeSeconds * 1000, remainingMs() - RESERVE_MS);
    const deadline = t0 + budget;
    const timeoutMs = s.timeoutSeconds * 1000;
    const intervalMs = s.intervalSeconds * 1000;
    const summary = {
        zone: s.zone,
        rounds: 0,
        failedRounds: 0,
        stoppedBy: 'time',
    };
    // Read the mode while probing: when the NAT is dead EC2 may be unreachable, and that wait
    // must not delay detection.
    const startMode = deps.readMode().then(async (m) => {
        summary.mode = m;
        await safe(metrics.mode(m), log, 'mode metric');
        return m;
    }, (e) => {
        log({ type: 'warning', what: 'reading the zone mode', error: String(e) });
        return undefined;
    });
    let consecutive = 0;
    let decided = false;
    // Rounds keep a fixed cadence from t0; a round starts only if it can end before the deadline.
    for (let planned = t0; planned + timeoutMs <= deadline; planned += intervalMs) {
        await clock.sleep(planned - clock.now());
        const started = clock.now();
        const probes = await Promise.all(s.urls.map((u) => probeUrl(deps.get, clock, u, timeoutMs)));
        const ok = probes.some((p) => p.ok);
        consecutive = ok ? 0 : consecutive + 1;
        summary.rounds++;
        if (!ok)
            summary.failedRounds++;
        const round = { round: summary.rounds, ok, consecutiveFailures: consecutive, probes };
        log({
            type: 'round',
            environment: s.environment,
            zone: s.zone,
            ...round,
            at: new Date(started).toISOString(),
        });
        await safe(metrics.round(round), log, 'round metric');
        if (!decided && consecutive >= s.unhealthyThreshold) {
            decided = true;
            summary.failover = await decideFailover(s, deps, summary.mode);
            log({ type: 'failover', zone: s.zone, ...summary.failover });
            const action = summary.failover.action;
            // A failed start is tried again after the next failed round.
            if (action === 'error')
                decided = false;
            if (action === 'started')
                await safe(metrics.failoverStarted(), log, 'failover metric');
            if (action === 'started' || action === 'already-started') {
                summary.stoppedBy = 'failover';
                break;
            }
        }
    }
    await startMode;
    if (s.autoFallback && deps.fallback && summary.stoppedBy === 'time') {
        summary.fallback = await checkFallback(s, deps, summary.mode);
        log({ type: 'fallback', zone: s.zone, ...summary.fallback });
    }
    log({ type: 'summary', environment: s.environment, ...summary, ms: clock.now() - t0 });
    if (summary.failover?.action === 'error') {
        // Fail the invocation so that the Lambda's Errors metric (and its alarm) sees it.
        throw new Error(`could not start Failover for ${s.zone}: ${summary.failover.error}`);
    }
    return summary;
}
async function decideFailover(s, deps, modeAtStart) {
    // Trust "instance" (or no answer yet) from the start of the invocation: starting at once is
    // what matters, and Failover is idempotent. "gateway" is read again: a Fallback may have run.
    if (modeAtStart === 'gateway') {
        const now = await deps.readMode().catch(() => undefined);
        if (now === 'gateway') {
            return { action: 'skipped', reason: 'the zone is already on its gateway' };
        }
    }
    // The input is the same for every checker of this zone and outage: Step Functions then
    // answers a repeat of a running execution with it, which tells "in flight" from "closed".
    // Each round's errors are in the round logs.
    const input = {
        zones: [s.zone],
        reason: `checker: ${s.unhealthyThreshold} consecutive failed probe rounds in ${s.zone}`.slice(0, REASON_MAX_LENGTH),
    };
    const bucket = bucketStart(deps.clock.now());
    // A taken name whose execution is closed and whose zone still reads as on its instance did
    // not hold (the zone was fallen back, or the run failed): the next generation's name is asked.
    // A mode that cannot be read counts as not held: a second Failover is harmless, none is not.
    const held = async () => (await deps.readMode().catch(() => undefined)) === 'gateway';
    const r = await startGeneration(deps, s.failoverArn, input, held, (g) => failoverExecutionName(s.zone, bucket, g));
    return r.action === 'error' ? r : { ...r, input };
}
/**
 * Starts under the first name of the bucket whose execution is not known to be closed and
 * held: a running one of the same input is this outage's, so it is "already-started".
 * "Held" is read once, beside the first start: a taken generation then costs one call, not
 * two in a row (a zone that fails again within its bucket fails over as fast as the first time).
 */
async function startGeneration(deps, arn, input, held, nameOf) {
    let name = nameOf(0);
    const heldNow = held().then((h) => ({ h }), (e) => ({ e }));
    try {
        for (let g = 0; g < MAX_GENERATIONS; g++) {
            name = nameOf(g);
            const outcome = await deps.startExecution(arn, name, input);
            if (outcome !== 'name-taken')
                return { action: outcome, name };
            const r = await heldNow;
            if ('e' in r)
                throw r.e;
            if (r.h)
                return { action: 'already-started', name };
            deps.log({ type: 'name-taken', name, next: g + 1 < MAX_GENERATIONS });
        }
        return { action: 'error', name, error: `all ${MAX_GENERATIONS} names of the bucket are taken` };
    }
    catch (e) {
        return { action: 'error', name, error: e instanceof Error ? e.message : String(e) };
    }
}
/** Auto-fallback's step, once per invocation; its failures are logged, never thrown. */
async function checkFallback(s, deps, mode) {
    const fb = deps.fallback;
    try {
        const { instance, samples } = mode === 'gateway' ? await fb.facts(s.healthyMinutes) : { instance: undefined, samples: [] };
        const d = fallbackDecision({
            autoFallback: s.autoFallback,
            ...(mode ? { mode } : {}),
            ...(instance ? { instance } : {}),
            samples,
            now: deps.clock.now(),
            healthyMinutes: s.healthyMinutes,
        });
        if (d.start) {
            const bucket = bucketStart(deps.clock.now());
            // A fixed reason keeps the input the same for every checker (see decideFailover).
            const input = {
                zones: [s.zone],
                reason: `checker: ${s.zone} healthy for ${s.healthyMinutes} min`,
            };
            // Fallback is optional: a mode that cannot be read stops here rather than start twice.
            const held = async () => (await deps.readMode().catch(() => 'instance')) === 'instance';
            const r = await startGeneration(deps, s.fallbackArn, input, held, (g) => fallbackExecutionName(s.zone, bucket, g));
            if (r.action === 'error')
                return { action: 'error', reason: r.error, name: r.name };
            return { action: r.action, reason: d.reason, name: r.name };
        }
        if (d.runHealthCommand && instance) {
            await fb.runHealthCommand(instance.instanceId);
            return { action: 'waiting', reason: d.reason };
        }
        return { action: 'none', reason: d.reason };
    }
    catch (e) {
        return { action: 'error', reason: e instanceof Error ? e.message : String(e) };
    }
}

// EXTERNAL MODULE: ./node_modules/aws-embedded-metrics/lib/index.js
var lib = __nccwpck_require__(610);
;// CONCATENATED MODULE: ./lib/checker/metrics.ts
// CloudWatch embedded metrics (EMF lines on stdout): namespace natfleet, dimensions
// Environment and Zone only, so that each zone costs a fixed, small number of metrics.
// One document per round carries every probe's values: the line count per round does not grow
// with the number of URLs (docs/cost.md counts these lines).


const NAMESPACE = METRICS.namespace;
const METRIC = METRIC_NAMES;
function emfMetrics(environment, zone) {
    const emit = async (metrics, properties = {}) => {
        const m = (0,lib.createMetricsLogger)();
        m.setNamespace(NAMESPACE);
        m.setDimensions({
            [METRICS.dimensions.environment]: environment,
            [METRICS.dimensions.zone]: zone,
        });
        // A name put twice keeps both values (an EMF value array): each is one sample.
        for (const [name, value, unit] of metrics)
            m.putMetric(name, value, unit, lib.StorageResolution.Standard);
        for (const [k, v] of Object.entries(properties))
            m.setProperty(k, v);
        await m.flush();
    };
    return {
        round: (r) => emit([
            ...r.probes.map((p) => [
                METRIC.probeSuccess,
                p.ok ? 1 : 0,
                lib.Unit.Count,
            ]),
            ...r.probes.flatMap((p) => p.ok ? [[METRIC.probeLatency, p.ms, lib.Unit.Milliseconds]] : []),
            [METRIC.failedRounds, r.ok ? 0 : 1, lib.Unit.Count],
        ], { Round: r.round, ConsecutiveFailures: r.consecutiveFailures }),
        mode: (mode) => emit([[METRIC.onInstance, mode === 'instance' ? 1 : 0, lib.Unit.None]], { Mode: mode }),
        failoverStarted: () => emit([[METRIC.failoversStarted, 1, lib.Unit.Count]]),
    };
}

;// CONCATENATED MODULE: ./lib/config/limits.ts
// Plain limits and patterns of natfleet.yml, kept apart from the schema so that code that
// must stay small (the checker Lambda) can use them without the schema library.
const ENVIRONMENT_NAME = '^[a-z][a-z0-9-]{0,15}$';
const AVAILABILITY_ZONE = '^[a-z]{2}(-[a-z]+)+-\\d[a-z]$';
const CHECKER_LIMITS = {
    intervalSeconds: { min: 1, max: 30, default: 1 },
    timeoutSeconds: { min: 1, max: 30, default: 1 },
    unhealthyThreshold: { min: 1, max: 100, default: 3 },
    healthyMinutes: { min: 1, max: 1440, default: 10 },
};
function isHttpUrl(s) {
    try {
        const u = new URL(s);
        return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
    }
    catch {
        return false;
    }
}
/** A URL that carries user:password@ would put a credential into templates, logs and metrics. */
function hasUserinfo(s) {
    try {
        const u = new URL(s);
        return u.username !== '' || u.password !== '';
    }
    catch {
        return false;
    }
}
/** The URL with its userinfo replaced, for messages: the credential itself is never shown. */
function withoutUserinfo(s) {
    try {
        const u = new URL(s);
        if (!u.username && !u.password)
            return s;
        u.username = '***';
        u.password = '';
        return u.toString();
    }
    catch {
        return s.replace(/\/\/[^/@]*@/, '//***@');
    }
}

;// CONCATENATED MODULE: ./lib/config/checks.ts
// One function per value rule, shared by the natfleet.yml loader (lib/config/rules.ts) and the
// checker's settings parser (lib/checker/settings.ts): whatever the checker would refuse at run
// time, validate refuses first. Each returns what was expected, or undefined when the value is
// good. Plain code, no schema library: the checker Lambda bundles it.

/**
 * A URL the checker can probe: http or https with a host, no user:password@ (it would land in
 * templates, logs and metrics), no IPv6 literal (the probes are IPv4 only: the NAT forwards
 * IPv4), and no comma (the checker's environment holds the URLs as one comma-joined list).
 */
function probeUrlProblem(url) {
    const what = 'an http:// or https:// URL with a host name or IPv4 address (no IPv6 literal, no user:password@, no comma)';
    if (url.includes(',') || !isHttpUrl(url.trim()) || hasUserinfo(url))
        return what;
    return new URL(url.trim()).hostname.startsWith('[') ? what : undefined;
}
const PRIVATE_RANGES = (/* unused pure expression or super */ null && (['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']));
function parseCidr(cidr) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m)
        return undefined;
    const octets = m.slice(1, 5).map(Number);
    const bits = Number(m[5]);
    if (octets.some((o) => o > 255) || bits > 32)
        return undefined;
    if (m.slice(1, 5).some((o) => o.length > 1 && o.startsWith('0')))
        return undefined;
    const ip = octets.reduce((a, o) => a * 256 + o, 0);
    return { ip, bits };
}
/** Whole numbers, not 32-bit operators: an address above 2^31 stays positive. */
const block = (ip, bits) => Math.floor(ip / 2 ** (32 - bits));
const within = (c, range) => c.bits >= range.bits && block(c.ip, range.bits) === block(range.ip, range.bits);
/**
 * A VPC range the NAT security group may take traffic from: a real IPv4 CIDR (octets 0–255,
 * prefix 0–32, no host bits set), never 0.0.0.0/0 (the NAT would forward for the internet),
 * and a private range (RFC 1918, or 100.64.0.0/10 of RFC 6598) unless `allowPublic`.
 */
function vpcCidrProblem(cidr, allowPublic = false) {
    const c = parseCidr(cidr);
    if (!c)
        return 'an IPv4 CIDR: four numbers 0–255 and a prefix 0–32 (e.g. 10.0.0.0/16)';
    if (c.ip % 2 ** (32 - c.bits) !== 0) {
        return `the network address of the range (no host bits set after /${c.bits})`;
    }
    if (c.bits === 0)
        return 'a VPC range, never 0.0.0.0/0 (the NAT would forward for anyone)';
    if (allowPublic)
        return undefined;
    const ranges = PRIVATE_RANGES.map((r) => parseCidr(r));
    return ranges.some((r) => within(c, r))
        ? undefined
        : `a private range (${PRIVATE_RANGES.join(', ')}), or allowPublicVpcCidrs: true for a VPC that uses public addresses`;
}
/**
 * The AWS regions natfleet knows (AWS's "Regions and Availability Zones" list, 2026-11): a
 * misspelt or unknown region is refused here rather than by the first stack.
 */
const KNOWN_REGIONS = (/* unused pure expression or super */ null && ([
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-south-1',
    'ap-south-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'eu-south-1',
    'eu-south-2',
    'eu-north-1',
    'il-central-1',
    'me-south-1',
    'me-central-1',
    'mx-central-1',
    'sa-east-1',
    'us-gov-east-1',
    'us-gov-west-1',
    'cn-north-1',
    'cn-northwest-1',
]));
function regionProblem(region) {
    return KNOWN_REGIONS.includes(region)
        ? undefined
        : `a known AWS region (${KNOWN_REGIONS.slice(0, 4).join(', ')}, …; lib/config/checks.ts)`;
}

;// CONCATENATED MODULE: ./lib/checker/settings.ts
// The checker's configuration: environment variables set by the checker stack, read and
// validated once at cold start. Limits and defaults come from the natfleet.yml schema.



const VAR = {
    environment: 'NATFLEET_ENVIRONMENT',
    zone: 'NATFLEET_ZONE',
    urls: 'NATFLEET_URLS',
    intervalSeconds: 'NATFLEET_INTERVAL_SECONDS',
    timeoutSeconds: 'NATFLEET_TIMEOUT_SECONDS',
    unhealthyThreshold: 'NATFLEET_UNHEALTHY_THRESHOLD',
    probeSeconds: 'NATFLEET_PROBE_SECONDS',
    routeTables: 'NATFLEET_ROUTE_TABLES',
    failoverArn: 'NATFLEET_FAILOVER_ARN',
    autoFallback: 'NATFLEET_AUTO_FALLBACK',
    healthyMinutes: 'NATFLEET_HEALTHY_MINUTES',
    fallbackArn: 'NATFLEET_FALLBACK_ARN',
    statesEndpoint: 'NATFLEET_STATES_ENDPOINT',
};
class CheckerSettingsError extends Error {
    problems;
    constructor(problems) {
        super(`natfleet checker: bad configuration, the checker is NOT checking:\n` +
            problems.map((p) => `  - ${p}`).join('\n'));
        this.problems = problems;
        this.name = 'CheckerSettingsError';
    }
}
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;
const ROUTE_TABLE = /^rtb-[0-9a-f]{8,17}$/;
function readSettings(vars) {
    const problems = [];
    // A credential in a URL is never repeated, not even in the message that refuses it.
    const bad = (name, expected) => problems.push(`${name}: expected ${expected}, got ${JSON.stringify(redactUserinfo(vars[name] ?? ''))}`);
    const text = (name, test, expected) => {
        const v = vars[name]?.trim();
        if (!v || !test(v))
            bad(name, expected);
        return v ?? '';
    };
    const list = (name, test, expected) => {
        const items = (vars[name] ?? '').split(',').map((s) => s.trim());
        if (items.length === 0 || items.some((s) => !s || !test(s)))
            bad(name, expected);
        return items;
    };
    const int = (name, { min, max, default: dflt }) => {
        const raw = vars[name]?.trim();
        if (!raw)
            return dflt;
        const n = Number(raw);
        if (!/^\d+$/.test(raw) || n < min || n > max)
            bad(name, `a whole number from ${min} to ${max}`);
        return n;
    };
    const zonePattern = new RegExp(AVAILABILITY_ZONE);
    const settings = {
        environment: text(VAR.environment, (v) => new RegExp(ENVIRONMENT_NAME).test(v), 'an environment name'),
        zone: text(VAR.zone, (v) => zonePattern.test(v), 'an availability zone name (e.g. eu-west-1a)'),
        urls: list(VAR.urls, (u) => probeUrlProblem(u) === undefined, 'comma-separated http:// or https:// URLs (no IPv6 literals, no user:password@)'),
        intervalSeconds: int(VAR.intervalSeconds, CHECKER_LIMITS.intervalSeconds),
        timeoutSeconds: int(VAR.timeoutSeconds, CHECKER_LIMITS.timeoutSeconds),
        unhealthyThreshold: int(VAR.unhealthyThreshold, CHECKER_LIMITS.unhealthyThreshold),
        probeSeconds: int(VAR.probeSeconds, { min: 1, max: 900, default: defaults_CHECKER_PROBE_SECONDS }),
        routeTables: list(VAR.routeTables, (v) => ROUTE_TABLE.test(v), 'comma-separated route table ids (rtb-…)'),
        failoverArn: text(VAR.failoverArn, (v) => STATE_MACHINE_ARN.test(v), 'a state machine ARN'),
        autoFallback: false,
        healthyMinutes: int(VAR.healthyMinutes, CHECKER_LIMITS.healthyMinutes),
    };
    const auto = vars[VAR.autoFallback]?.trim() ?? '';
    if (auto === 'true')
        settings.autoFallback = true;
    else if (auto !== '' && auto !== 'false')
        bad(VAR.autoFallback, 'true or false');
    if (vars[VAR.fallbackArn] || settings.autoFallback) {
        settings.fallbackArn = text(VAR.fallbackArn, (v) => STATE_MACHINE_ARN.test(v), 'a state machine ARN (required when auto-fallback is on)');
    }
    if (vars[VAR.statesEndpoint]?.trim()) {
        settings.statesEndpoint = text(VAR.statesEndpoint, isEndpointUrl, 'an https:// URL of a VPC endpoint host, nothing else (no path, no user:password@)');
    }
    if (settings.timeoutSeconds > settings.intervalSeconds && !problems.length) {
        bad(VAR.timeoutSeconds, `at most ${VAR.intervalSeconds} (${settings.intervalSeconds})`);
    }
    if (problems.length > 0)
        throw new CheckerSettingsError(problems);
    return settings;
}
function isEndpointUrl(s) {
    if (!isHttpUrl(s) || hasUserinfo(s))
        return false;
    const u = new URL(s);
    return u.protocol === 'https:' && (u.pathname === '/' || u.pathname === '') && !u.search;
}
const redactUserinfo = (v) => v.replace(/\/\/[^/@\s,]*@/g, '//***@');
/** The variables the checker stack sets for one zone's checker (the inverse of readSettings). */
function checkerVariables(env, zone, arns) {
    const z = env.zones.find((x) => x.availabilityZone === zone);
    if (!z)
        throw new Error(`environment ${env.name} has no zone ${zone}`);
    const c = env.checker;
    return {
        [VAR.environment]: env.name,
        [VAR.zone]: zone,
        [VAR.urls]: c.urls.join(','),
        [VAR.intervalSeconds]: String(c.intervalSeconds),
        [VAR.timeoutSeconds]: String(c.timeoutSeconds),
        [VAR.unhealthyThreshold]: String(c.unhealthyThreshold),
        [VAR.probeSeconds]: String(CHECKER_PROBE_SECONDS),
        [VAR.routeTables]: z.routeTables.join(','),
        [VAR.failoverArn]: arns.failover,
        [VAR.autoFallback]: String(c.autoFallback),
        [VAR.healthyMinutes]: String(c.healthyMinutes),
        ...(arns.fallback ? { [VAR.fallbackArn]: arns.fallback } : {}),
        ...(arns.statesEndpoint ? { [VAR.statesEndpoint]: arns.statesEndpoint } : {}),
    };
}

;// CONCATENATED MODULE: external "node:module"
const external_node_module_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:module");
;// CONCATENATED MODULE: ./lib/checker/sdk.ts
// The AWS SDK as the checker uses it, loaded on the first invocation rather than at Lambda
// init (ADR 0045). require(), not import(): the bundler hoists every ESM import of an external
// package to the top of the bundle, and require() of these CommonJS packages is the faster.

/**
 * The clients with short timeouts: a dead NAT must not hold up a round or the failover call.
 * Step Functions goes to the VPC endpoint's own name when there is one (its private DNS is off,
 * so the rest of the VPC keeps the public endpoint).
 */
function loadCheckerSdk(statesEndpoint) {
    const load = (0,external_node_module_namespaceObject.createRequire)(import.meta.url);
    const ec2 = load('@aws-sdk/client-ec2');
    const sfn = load('@aws-sdk/client-sfn');
    const ssm = load('@aws-sdk/client-ssm');
    return {
        ec2: new ec2.EC2Client({
            maxAttempts: 2,
            requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
        }),
        sfn: new sfn.SFNClient({
            ...(statesEndpoint ? { endpoint: statesEndpoint } : {}),
            maxAttempts: 3,
            requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
        }),
        ssm: new ssm.SSMClient({
            maxAttempts: 2,
            requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
        }),
        commands: {
            DescribeRouteTablesCommand: ec2.DescribeRouteTablesCommand,
            DescribeInstancesCommand: ec2.DescribeInstancesCommand,
            DescribeInstanceStatusCommand: ec2.DescribeInstanceStatusCommand,
            StartExecutionCommand: sfn.StartExecutionCommand,
            paginateListCommands: ssm.paginateListCommands,
            SendCommandCommand: ssm.SendCommandCommand,
        },
    };
}

;// CONCATENATED MODULE: ./checker/src/handler.ts
// The connectivity checker Lambda: one zone, one invocation per minute (EventBridge).
// Configuration is read at cold start; when it is bad, every invocation fails naming it. The
// AWS SDK loads at the start of the first invocation, before its first round (ADR 0045).






let settings;
let problem;
try {
    settings = readSettings(process.env);
    // The first round then rarely waits on the resolver (names are resolved beside probes).
    warmNames(settings.urls);
}
catch (e) {
    problem = e instanceof Error ? e : new Error(String(e));
    console.error(problem.message);
}
let sdk;
async function handler(_event, context) {
    if (!settings)
        throw problem;
    const s = settings;
    // Here, not during a round: a require blocks the event loop and would delay probe answers.
    const aws = (sdk ??= loadCheckerSdk(s.statesEndpoint));
    return runInvocation(s, {
        clock: realClock,
        get: httpGet,
        readMode: () => readZoneMode(aws, s.routeTables),
        startExecution: (arn, name, input) => startExecution(aws, arn, name, input),
        metrics: emfMetrics(s.environment, s.zone),
        log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        ...(s.autoFallback ? { fallback: fallbackView(aws, s.environment, s.zone, s.urls) } : {}),
    }, () => context.getRemainingTimeInMillis());
}

var __webpack_exports__handler = __webpack_exports__.R;
export { __webpack_exports__handler as handler };
