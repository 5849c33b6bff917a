# The project's Airflow image: the official Airflow 3.3.2 image plus this project installed from its pinned lock.
# Used by every service of docker-compose.yaml (Airflow components and the wholesale-sim simulator).
FROM apache/airflow:3.3.2-python3.11

# Directories mounted as named volumes by docker-compose.yaml: created here, owned by the airflow user, so that a
# new volume starts with that ownership (the simulator's state, task logs, the simple auth manager's passwords).
USER root
RUN mkdir -p /data /opt/airflow/logs /opt/airflow/auth /opt/airflow/project \
    && chown -R airflow:0 /data /opt/airflow/logs /opt/airflow/auth /opt/airflow/project
USER airflow

WORKDIR /opt/airflow/project
# constraints.txt pins apache-airflow==3.3.2, the version of the base image, so pip keeps the image's Airflow.
COPY --chown=airflow:0 pyproject.toml constraints.txt README.md ./
COPY --chown=airflow:0 plugins/ plugins/
COPY --chown=airflow:0 include/ include/
COPY --chown=airflow:0 dags/ dags/
RUN pip install --no-cache-dir -c constraints.txt -e /opt/airflow/project
# The image's own packages and ours must agree: a conflict fails the build, not a task at run time.
RUN pip check

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/project/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/airflow/project/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False
WORKDIR /opt/airflow
